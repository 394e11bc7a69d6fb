import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { checkScaledObject, checkServiceMonitor } from './custom-resources.js';

/** One thing wrong with one object; `path` is dotted, e.g. `spec.template.spec.containers[0].ports`. */
export interface Problem {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly message: string;
}

export interface ValidateOptions {
  /**
   * Kinds without an OpenAPI model that are accepted anyway (e.g. `ScaledObject`,
   * `ServiceMonitor`). Those two still get a structural check; others are only listed.
   */
  readonly allowKinds?: readonly string[];
}

interface Validatable {
  validate(): void;
}
type ModelFactory = (data: Record<string, unknown>) => Validatable;

/** The models of the kinds Orderflow's manifests and chart emit (and a few neighbours), by `apiVersion/kind`. */
const MODELS: ReadonlyMap<string, ModelFactory> = new Map<string, ModelFactory>([
  ['v1/Namespace', (data) => new Namespace(data)],
  ['v1/ConfigMap', (data) => new ConfigMap(data)],
  ['v1/Secret', (data) => new Secret(data)],
  ['v1/ServiceAccount', (data) => new ServiceAccount(data)],
  ['v1/Service', (data) => new Service(data)],
  ['v1/Pod', (data) => new Pod(data)],
  ['v1/PersistentVolumeClaim', (data) => new PersistentVolumeClaim(data)],
  ['apps/v1/Deployment', (data) => new Deployment(data)],
  ['apps/v1/StatefulSet', (data) => new StatefulSet(data)],
  ['apps/v1/DaemonSet', (data) => new DaemonSet(data)],
  ['batch/v1/Job', (data) => new Job(data)],
  ['batch/v1/CronJob', (data) => new CronJob(data as never)],
  ['policy/v1/PodDisruptionBudget', (data) => new PodDisruptionBudget(data)],
  ['autoscaling/v2/HorizontalPodAutoscaler', (data) => new HorizontalPodAutoscaler(data as never)],
  ['networking.k8s.io/v1/NetworkPolicy', (data) => new NetworkPolicy(data)],
  ['networking.k8s.io/v1/Ingress', (data) => new Ingress(data)],
  ['rbac.authorization.k8s.io/v1/Role', (data) => new Role(data)],
  ['rbac.authorization.k8s.io/v1/RoleBinding', (data) => new RoleBinding(data as never)],
]);

/** Structural checks for allowed custom resources, by `apiVersion/kind`. */
const CUSTOM_CHECKS: ReadonlyMap<string, (object: Record<string, unknown>) => Array<[string, string]>> = new Map([
  ['keda.sh/v1alpha1/ScaledObject', checkScaledObject],
  ['monitoring.coreos.com/v1/ServiceMonitor', checkServiceMonitor],
]);

/** A DNS-1123 subdomain: what Kubernetes accepts as the name of most objects. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The subset of an ajv error the models report. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `/spec/containers/0/ports` → `spec.containers[0].ports`. */
export function dottedPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path === '' ? '(object)' : path;
}

/** Turns ajv errors into one message per path; "must be string" + "must be integer" + oneOf become one line. */
function schemaProblems(errors: readonly SchemaError[]): Array<[string, string]> {
  const byPath = new Map<string, { types: string[]; messages: string[] }>();
  for (const error of errors) {
    const pointer =
      error.keyword === 'required'
        ? `${error.instancePath}/${String(error.params.missingProperty)}`
        : error.instancePath;
    const entry = byPath.get(pointer) ?? { types: [], messages: [] };
    byPath.set(pointer, entry);
    if (error.keyword === 'type') entry.types.push(String(error.params.type));
    else if (error.keyword === 'required') entry.messages.push('is required');
    else if (error.keyword === 'enum') {
      entry.messages.push(`must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`);
    } else if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') {
      entry.messages.push(error.message ?? error.keyword);
    } else entry.messages.push('matches none of the allowed forms');
  }
  return [...byPath].map(([pointer, { types, messages }]) => {
    // A type mismatch already says why no form matched.
    const rest = types.length > 0 ? messages.filter((m) => m !== 'matches none of the allowed forms') : messages;
    const typeMessage = types.length > 0 ? [`must be ${[...new Set(types)].join(' or ')}`] : [];
    return [dottedPath(pointer), [...typeMessage, ...new Set(rest)].join('; ')];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates parsed Kubernetes objects: each against the OpenAPI model of its
 * apiVersion and kind (types, required fields, enums), plus a name and no duplicates.
 * Kinds without a model are problems ("not validated: no schema") unless listed in
 * `allowKinds`. The models do not reject unknown fields.
 */
export function validateObjects(objects: readonly unknown[], options: ValidateOptions = {}): Problem[] {
  const allowed = new Set(options.allowKinds ?? []);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  objects.forEach((object, index) => {
    if (object === null || object === undefined) return; // an empty YAML document
    if (!isRecord(object)) {
      problems.push({ kind: '(unknown)', name: `#${index}`, path: '(object)', message: 'is not a mapping' });
      return;
    }
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const kind = typeof object.kind === 'string' && object.kind !== '' ? object.kind : '(no kind)';
    const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : `#${index}`;
    const add = (path: string, message: string) => problems.push({ kind, name, path, message });

    if (typeof object.apiVersion !== 'string' || object.apiVersion === '') add('apiVersion', 'is required');
    if (kind === '(no kind)') add('kind', 'is required');
    if (typeof metadata.name !== 'string' || metadata.name === '') add('metadata.name', 'is required');
    else if (metadata.name.length > 253 || !OBJECT_NAME.test(metadata.name)) {
      add('metadata.name', 'must be lower-case letters, digits, "-" and "." (DNS-1123)');
    }
    const identity = `${String(object.apiVersion)}/${kind}/${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/${name}`;
    if (seen.has(identity)) add('metadata.name', 'duplicates an earlier object of the same kind');
    seen.add(identity);
    if (typeof object.apiVersion !== 'string' || kind === '(no kind)') return;

    const key = `${object.apiVersion}/${kind}`;
    const model = MODELS.get(key);
    if (model !== undefined) {
      try {
        model(object).validate();
      } catch (error) {
        const errors = (error as { errors?: SchemaError[] }).errors;
        if (!Array.isArray(errors)) throw error;
        for (const [path, message] of schemaProblems(errors)) add(path, message);
      }
      return;
    }
    if (!allowed.has(kind)) {
      add('(object)', `not validated: no schema for ${key} (allow it with --allow-kind ${kind})`);
      return;
    }
    for (const [path, message] of CUSTOM_CHECKS.get(key)?.(object) ?? []) add(path, message);
  });
  return problems;
}

/** `Deployment/api: spec.replicas: must be integer`. */
export function formatProblem(problem: Problem): string {
  return `${problem.kind}/${problem.name}: ${problem.path}: ${problem.message}`;
}
