/**
 * Structural checks of rendered Orderflow workloads (the deployment contract): probes on
 * named ports, resources, the restricted security context, labels, graceful shutdown,
 * scrape annotations and environment coverage. Pure functions over parsed objects, so
 * the kustomize and Helm tests share them. Each problem reads `<Kind>/<name>: <path>: <problem>`.
 */

/** Variables that only ever come from a Secret (never a literal value or a ConfigMap). */
export const SECRET_VARIABLES = [
  'MONGO_URL',
  'NATS_USER',
  'NATS_PASSWORD',
  'NATS_TOKEN',
  'PAYMENT_WEBHOOK_SECRET',
  'SMTP_URL',
] as const;

/** Test-only variables that deploy artifacts never set. */
export const TEST_ONLY_VARIABLES = ['ORDERFLOW_FAULT_POINT'] as const;

/** The labels every object (and pod template) carries. */
export const REQUIRED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;

/** The only labels a selector may use. */
export const SELECTOR_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'];

/** What the contract says about one service's Deployment. */
export interface ServiceExpectation {
  /** `app.kubernetes.io/name` and the container's name, e.g. `api`. */
  readonly name: string;
  /** The named container port the probes use: `http` for the api, `ops` for the others. */
  readonly portName: string;
  /** That port's number, e.g. 8080. */
  readonly port?: number;
  /** Readiness path; `/ready` unless the service has none (the simulator: `/health`). */
  readonly readinessPath?: string;
  /** Whether the pod serves /metrics and must carry the prometheus.io annotations (default true). */
  readonly metrics?: boolean;
  /** Every variable the service reads (the coverage check). */
  readonly requiredEnv?: readonly string[];
  /** Variables that must have a non-empty value (e.g. API_WORKERS). */
  readonly explicitEnv?: readonly string[];
}

export interface CheckContext {
  /** The rendered ConfigMaps, to resolve `envFrom` and `configMapKeyRef`. */
  readonly configMaps?: readonly unknown[];
  readonly service?: ServiceExpectation;
}

/** Where a variable's value comes from. */
export type EnvSource =
  | { readonly from: 'value'; readonly value: string }
  | { readonly from: 'configMap'; readonly configMap: string; readonly value: string | undefined }
  | { readonly from: 'secret'; readonly secret: string; readonly key: string; readonly optional: boolean }
  | { readonly from: 'field' };

type Obj = Record<string, unknown>;

function isRecord(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const record = (value: unknown): Obj => (isRecord(value) ? value : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `Deployment/api`. */
export function objectRef(object: unknown): string {
  const o = record(object);
  return `${text(o.kind) ?? '(no kind)'}/${text(record(o.metadata).name) ?? '(no name)'}`;
}

/** The pod template's spec of a Deployment, StatefulSet, DaemonSet or Job. */
export function podSpecOf(workload: unknown): Obj {
  return record(record(record(record(workload).spec).template).spec);
}

/** The container named after the workload's `app.kubernetes.io/name` label, else the first. */
export function mainContainer(workload: unknown): Obj | undefined {
  const name = text(record(record(record(workload).metadata).labels)['app.kubernetes.io/name']);
  const containers = list(podSpecOf(workload).containers);
  return containers.find((c) => c.name === name) ?? containers[0];
}

function configMapData(configMaps: readonly unknown[], name: string): Obj | undefined {
  const found = configMaps.map(record).find((cm) => cm.kind === 'ConfigMap' && record(cm.metadata).name === name);
  return found === undefined ? undefined : record(found.data);
}

/**
 * The container's environment as Kubernetes builds it: `envFrom` first (ConfigMaps
 * resolved from `configMaps`; Secrets' keys are unknown here), then `env` on top.
 */
export function resolveEnv(container: unknown, configMaps: readonly unknown[]): Map<string, EnvSource> {
  const resolved = new Map<string, EnvSource>();
  const c = record(container);
  for (const source of list(c.envFrom)) {
    const name = text(record(source.configMapRef).name);
    if (name === undefined) continue;
    const prefix = text(source.prefix) ?? '';
    for (const [key, value] of Object.entries(configMapData(configMaps, name) ?? {})) {
      resolved.set(prefix + key, { from: 'configMap', configMap: name, value: text(value) });
    }
  }
  for (const variable of list(c.env)) {
    const name = text(variable.name);
    if (name === undefined) continue;
    const valueFrom = record(variable.valueFrom);
    if (isRecord(valueFrom.secretKeyRef)) {
      const ref = valueFrom.secretKeyRef;
      resolved.set(name, {
        from: 'secret',
        secret: text(ref.name) ?? '',
        key: text(ref.key) ?? '',
        optional: ref.optional === true,
      });
    } else if (isRecord(valueFrom.configMapKeyRef)) {
      const ref = valueFrom.configMapKeyRef;
      const data = configMapData(configMaps, text(ref.name) ?? '');
      resolved.set(name, {
        from: 'configMap',
        configMap: text(ref.name) ?? '',
        value: text(data?.[text(ref.key) ?? '']),
      });
    } else if (isRecord(valueFrom.fieldRef) || isRecord(valueFrom.resourceFieldRef)) {
      resolved.set(name, { from: 'field' });
    } else resolved.set(name, { from: 'value', value: text(variable.value) ?? '' });
  }
  return resolved;
}

/** The names of `requiredNames` missing from the main container's environment. */
export function envCoverage(
  deployment: unknown,
  configMaps: readonly unknown[],
  requiredNames: readonly string[],
): string[] {
  const env = resolveEnv(mainContainer(deployment), configMaps);
  return requiredNames.filter((name) => !env.has(name));
}

/** Seconds the preStop hook waits: `sleep` action, `sleep N`, or `node -e setTimeout(..., ms)`; undefined if none. */
export function preStopSeconds(container: unknown): number | undefined {
  const preStop = record(record(record(container).lifecycle).preStop);
  const seconds = record(preStop.sleep).seconds;
  if (typeof seconds === 'number') return seconds;
  const command = record(preStop.exec).command;
  if (!Array.isArray(command)) return undefined;
  const line = command.map(String).join(' ');
  const timeout = /setTimeout\([^,]*,\s*(\d+)\s*\)/.exec(line);
  if (timeout) return Number(timeout[1]) / 1000;
  const sleep = /\bsleep\s+(\d+(?:\.\d+)?)\b/.exec(line);
  return sleep ? Number(sleep[1]) : undefined;
}

/** Labels on the object and its pod template; the selector uses name + instance only and matches the template. */
export function checkLabels(workload: unknown): string[] {
  const ref = objectRef(workload);
  const problems: string[] = [];
  const w = record(workload);
  const labels = record(record(w.metadata).labels);
  const template = record(record(record(w.spec).template).metadata);
  const templateLabels = record(template.labels);
  for (const [where, set] of [
    ['metadata.labels', labels],
    ['spec.template.metadata.labels', templateLabels],
  ] as const) {
    for (const label of REQUIRED_LABELS) {
      if (typeof set[label] !== 'string' || set[label] === '') problems.push(`${ref}: ${where}: lacks ${label}`);
    }
    if (set['app.kubernetes.io/part-of'] !== undefined && set['app.kubernetes.io/part-of'] !== 'orderflow') {
      problems.push(`${ref}: ${where}: app.kubernetes.io/part-of must be orderflow`);
    }
    if (set['app.kubernetes.io/component'] !== set['app.kubernetes.io/name']) {
      problems.push(`${ref}: ${where}: app.kubernetes.io/component must equal app.kubernetes.io/name`);
    }
  }
  if (w.kind === 'Job') return problems; // Jobs select their pods by controller uid.
  const selector = record(record(record(w.spec).selector).matchLabels);
  for (const label of ['app.kubernetes.io/name', 'app.kubernetes.io/instance']) {
    if (selector[label] === undefined) problems.push(`${ref}: spec.selector.matchLabels: lacks ${label}`);
  }
  for (const [label, value] of Object.entries(selector)) {
    if (!SELECTOR_LABELS.includes(label)) {
      problems.push(`${ref}: spec.selector.matchLabels: ${label} must not be in a selector (it may change)`);
    }
    if (templateLabels[label] !== value) {
      problems.push(`${ref}: spec.selector.matchLabels: ${label}=${String(value)} is not a pod template label`);
    }
  }
  return problems;
}

/** The restricted Pod Security Standard (pod and every container) and an emptyDir at /tmp. */
export function checkPodSecurity(workload: unknown): string[] {
  const ref = objectRef(workload);
  const problems: string[] = [];
  const pod = podSpecOf(workload);
  const at = 'spec.template.spec';
  const podContext = record(pod.securityContext);
  if (podContext.runAsNonRoot !== true) problems.push(`${ref}: ${at}.securityContext.runAsNonRoot: must be true`);
  if (record(podContext.seccompProfile).type !== 'RuntimeDefault') {
    problems.push(`${ref}: ${at}.securityContext.seccompProfile.type: must be RuntimeDefault`);
  }
  const emptyDirs = new Set(
    list(pod.volumes)
      .filter((v) => isRecord(v.emptyDir))
      .map((v) => v.name),
  );
  const containers = [...list(pod.initContainers), ...list(pod.containers)];
  if (containers.length === 0) problems.push(`${ref}: ${at}.containers: is empty`);
  for (const container of containers) {
    const where = `${at}.containers[${text(container.name) ?? '?'}]`;
    const context = record(container.securityContext);
    const runAsUser = context.runAsUser ?? podContext.runAsUser;
    if (runAsUser !== 10001)
      problems.push(`${ref}: ${where}.securityContext.runAsUser: must be 10001 (pod or container)`);
    if (context.runAsNonRoot === false)
      problems.push(`${ref}: ${where}.securityContext.runAsNonRoot: must not be false`);
    if (context.allowPrivilegeEscalation !== false) {
      problems.push(`${ref}: ${where}.securityContext.allowPrivilegeEscalation: must be false`);
    }
    const drop = record(context.capabilities).drop;
    if (!Array.isArray(drop) || !drop.includes('ALL')) {
      problems.push(`${ref}: ${where}.securityContext.capabilities.drop: must include ALL`);
    }
    if (context.readOnlyRootFilesystem !== true) {
      problems.push(`${ref}: ${where}.securityContext.readOnlyRootFilesystem: must be true`);
    }
    if (context.privileged === true) problems.push(`${ref}: ${where}.securityContext.privileged: must not be true`);
    const tmp = list(container.volumeMounts).find((mount) => mount.mountPath === '/tmp');
    if (tmp === undefined || !emptyDirs.has(tmp.name)) {
      problems.push(`${ref}: ${where}.volumeMounts: needs an emptyDir mounted at /tmp`);
    }
  }
  return problems;
}

/** Requests and limits for CPU and memory on every container. */
export function checkResources(workload: unknown): string[] {
  const ref = objectRef(workload);
  const problems: string[] = [];
  for (const container of list(podSpecOf(workload).containers)) {
    const resources = record(container.resources);
    for (const kind of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (record(resources[kind])[resource] === undefined) {
          problems.push(
            `${ref}: spec.template.spec.containers[${text(container.name) ?? '?'}].resources.${kind}.${resource}: is required`,
          );
        }
      }
    }
  }
  return problems;
}

function checkProbes(ref: string, container: Obj, service: ServiceExpectation | undefined): string[] {
  const problems: string[] = [];
  const where = `spec.template.spec.containers[${text(container.name) ?? '?'}]`;
  const portNames = new Set(list(container.ports).map((port) => port.name));
  const expected: Array<[string, string]> = [
    ['startupProbe', '/health'],
    ['livenessProbe', '/health'],
    ['readinessProbe', service?.readinessPath ?? '/ready'],
  ];
  for (const [probeName, path] of expected) {
    const probe = container[probeName];
    if (!isRecord(probe)) {
      problems.push(`${ref}: ${where}.${probeName}: is required`);
      continue;
    }
    const httpGet = record(probe.httpGet);
    if (httpGet.path !== path) problems.push(`${ref}: ${where}.${probeName}.httpGet.path: must be ${path}`);
    const port = httpGet.port;
    if (typeof port !== 'string') {
      problems.push(
        `${ref}: ${where}.${probeName}.httpGet.port: must name a container port (got ${JSON.stringify(port)})`,
      );
    } else if (!portNames.has(port)) {
      problems.push(`${ref}: ${where}.${probeName}.httpGet.port: no container port is named ${port}`);
    } else if (service !== undefined && port !== service.portName) {
      problems.push(`${ref}: ${where}.${probeName}.httpGet.port: must be ${service.portName}`);
    }
    if (probeName === 'startupProbe') {
      const period = typeof probe.periodSeconds === 'number' ? probe.periodSeconds : 10;
      const failures = typeof probe.failureThreshold === 'number' ? probe.failureThreshold : 3;
      if (period * failures < 60) {
        problems.push(`${ref}: ${where}.startupProbe: allows ${period * failures} s to start, needs at least 60`);
      }
    }
  }
  return problems;
}

/**
 * Every contract check of one Deployment: labels, security, resources, probes on a named
 * port, preStop + terminationGracePeriodSeconds, scrape annotations and, with
 * `service.requiredEnv`, environment coverage. Returns problem lines; empty means fine.
 */
export function checkDeployment(deployment: unknown, context: CheckContext = {}): string[] {
  const ref = objectRef(deployment);
  const { service } = context;
  const configMaps = context.configMaps ?? [];
  const problems = [...checkLabels(deployment), ...checkPodSecurity(deployment), ...checkResources(deployment)];
  const container = mainContainer(deployment);
  if (container === undefined) return problems;
  const where = `spec.template.spec.containers[${text(container.name) ?? '?'}]`;

  if (service !== undefined) {
    const port = list(container.ports).find((p) => p.name === service.portName);
    if (port === undefined) problems.push(`${ref}: ${where}.ports: needs a port named ${service.portName}`);
    else if (service.port !== undefined && port.containerPort !== service.port) {
      problems.push(`${ref}: ${where}.ports[${service.portName}].containerPort: must be ${service.port}`);
    }
  }
  problems.push(...checkProbes(ref, container, service));

  const env = resolveEnv(container, configMaps);
  for (const source of list(container.envFrom)) {
    const name = text(record(source.configMapRef).name);
    if (name !== undefined && configMapData(configMaps, name) === undefined) {
      problems.push(`${ref}: ${where}.envFrom: ConfigMap ${name} is not among the rendered objects`);
    }
  }
  const preStop = preStopSeconds(container);
  if (preStop === undefined) problems.push(`${ref}: ${where}.lifecycle.preStop: needs a sleep (exec or sleep action)`);
  const shutdown = env.get('SHUTDOWN_TIMEOUT_MS');
  const shutdownMs =
    shutdown?.from === 'value' || shutdown?.from === 'configMap' ? Number(shutdown.value || 10_000) : 10_000;
  const pod = podSpecOf(deployment);
  const grace = typeof pod.terminationGracePeriodSeconds === 'number' ? pod.terminationGracePeriodSeconds : 30;
  const needed = (preStop ?? 0) + shutdownMs / 1000;
  if (grace < needed) {
    problems.push(
      `${ref}: spec.template.spec.terminationGracePeriodSeconds: ${grace} is below preStop + SHUTDOWN_TIMEOUT_MS (${needed} s)`,
    );
  }

  if (service?.metrics !== false) {
    const annotations = record(record(record(record(deployment).spec).template).metadata).annotations;
    const a = record(annotations);
    const port = list(container.ports).find((p) => p.name === (service?.portName ?? p.name));
    if (a['prometheus.io/scrape'] !== 'true')
      problems.push(`${ref}: spec.template.metadata.annotations: prometheus.io/scrape must be "true"`);
    if (a['prometheus.io/path'] !== '/metrics')
      problems.push(`${ref}: spec.template.metadata.annotations: prometheus.io/path must be /metrics`);
    if (port !== undefined && a['prometheus.io/port'] !== String(port.containerPort)) {
      problems.push(
        `${ref}: spec.template.metadata.annotations: prometheus.io/port must be "${String(port.containerPort)}"`,
      );
    }
  }

  for (const name of envCoverage(deployment, configMaps, service?.requiredEnv ?? [])) {
    problems.push(`${ref}: ${where}.env: lacks ${name}`);
  }
  for (const name of service?.explicitEnv ?? []) {
    const source = env.get(name);
    if (source === undefined || ((source.from === 'value' || source.from === 'configMap') && !source.value)) {
      problems.push(`${ref}: ${where}.env: ${name} must be set explicitly`);
    }
  }
  for (const name of TEST_ONLY_VARIABLES) {
    if (env.has(name)) problems.push(`${ref}: ${where}.env: ${name} is test-only and must not be set`);
  }
  for (const name of SECRET_VARIABLES) {
    const source = env.get(name);
    if (source !== undefined && source.from !== 'secret') {
      problems.push(`${ref}: ${where}.env: ${name} must come from a Secret (secretKeyRef)`);
    }
  }
  return problems;
}
