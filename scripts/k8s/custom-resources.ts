/**
 * Hand-written structural checks for the custom resources a chart may emit without
 * their CRD schemas at hand: KEDA ScaledObject and Prometheus Operator ServiceMonitor.
 * Each returns `[path, problem]` pairs; they check the fields that are easy to get wrong,
 * not the whole CRD.
 */

type Found = Array<[string, string]>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isWholeNumber = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

/** A Prometheus duration such as `30s`, `1m30s`. */
const DURATION = /^((\d+)(ms|s|m|h|d|w|y))+$/;

/** keda.sh/v1alpha1 ScaledObject: a target, whole-number counts, triggers with string metadata. */
export function checkScaledObject(object: Record<string, unknown>): Found {
  const found: Found = [];
  const spec = object.spec;
  if (!isRecord(spec)) return [['spec', 'is required']];
  const target = spec.scaleTargetRef;
  if (!isRecord(target)) found.push(['spec.scaleTargetRef', 'is required']);
  else if (typeof target.name !== 'string' || target.name === '')
    found.push(['spec.scaleTargetRef.name', 'is required']);
  for (const field of ['minReplicaCount', 'maxReplicaCount', 'pollingInterval', 'cooldownPeriod', 'idleReplicaCount']) {
    if (spec[field] !== undefined && !isWholeNumber(spec[field])) {
      found.push([`spec.${field}`, 'must be a whole number']);
    }
  }
  if (
    isWholeNumber(spec.minReplicaCount) &&
    isWholeNumber(spec.maxReplicaCount) &&
    (spec.minReplicaCount as number) > (spec.maxReplicaCount as number)
  ) {
    found.push(['spec.minReplicaCount', 'must not exceed spec.maxReplicaCount']);
  }
  if (!Array.isArray(spec.triggers) || spec.triggers.length === 0) {
    found.push(['spec.triggers', 'must list at least one trigger']);
    return found;
  }
  spec.triggers.forEach((trigger: unknown, index) => {
    const at = `spec.triggers[${index}]`;
    if (!isRecord(trigger)) {
      found.push([at, 'must be a mapping']);
      return;
    }
    if (typeof trigger.type !== 'string' || trigger.type === '') found.push([`${at}.type`, 'is required']);
    if (!isRecord(trigger.metadata)) {
      found.push([`${at}.metadata`, 'is required']);
      return;
    }
    // KEDA reads trigger metadata as map[string]string: `lagThreshold: 10` is refused.
    for (const [key, value] of Object.entries(trigger.metadata)) {
      if (typeof value !== 'string') found.push([`${at}.metadata.${key}`, 'must be string']);
    }
  });
  return found;
}

/** monitoring.coreos.com/v1 ServiceMonitor: a selector and endpoints naming a port. */
export function checkServiceMonitor(object: Record<string, unknown>): Found {
  const found: Found = [];
  const spec = object.spec;
  if (!isRecord(spec)) return [['spec', 'is required']];
  if (!isRecord(spec.selector)) found.push(['spec.selector', 'is required']);
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) {
    found.push(['spec.endpoints', 'must list at least one endpoint']);
    return found;
  }
  spec.endpoints.forEach((endpoint: unknown, index) => {
    const at = `spec.endpoints[${index}]`;
    if (!isRecord(endpoint)) {
      found.push([at, 'must be a mapping']);
      return;
    }
    if (endpoint.port !== undefined && typeof endpoint.port !== 'string') found.push([`${at}.port`, 'must be string']);
    if (
      endpoint.targetPort !== undefined &&
      typeof endpoint.targetPort !== 'string' &&
      !isWholeNumber(endpoint.targetPort)
    ) {
      found.push([`${at}.targetPort`, 'must be string or integer']);
    }
    if (endpoint.port === undefined && endpoint.targetPort === undefined) found.push([`${at}.port`, 'is required']);
    for (const field of ['interval', 'scrapeTimeout']) {
      const value = endpoint[field];
      if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value))) {
        found.push([`${at}.${field}`, 'must be a duration such as 30s']);
      }
    }
    if (endpoint.path !== undefined && (typeof endpoint.path !== 'string' || !endpoint.path.startsWith('/'))) {
      found.push([`${at}.path`, 'must be a path starting with /']);
    }
  });
  return found;
}
