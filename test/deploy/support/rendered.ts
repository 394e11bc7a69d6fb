import { loadSimulatorConfig } from '@orderflow/payment-simulator';
import { loadApiConfig } from '../../../services/api/src/config.js';
import { loadNotifierConfig } from '../../../services/notifier/src/config.js';
import { loadProcessorConfig } from '../../../services/processor/src/config.js';
import { loadSchedulerConfig } from '../../../services/scheduler/src/config.js';
import type { ContractServiceName } from './contract.js';
import { mainContainer, resolveEnv } from './deployment-checks.js';

/** A rendered manifest: untyped YAML. */
export type K8sObject = Record<string, any>;

export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);

export const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${kind}/${name}`);
  return found;
};

/** The main container of a workload, as untyped YAML. */
export const containerOf = (workload: K8sObject | undefined): K8sObject => mainContainer(workload) ?? {};

/** The environment a workload's main container sees, with placeholders for the Secret's keys. */
export function environment(workload: K8sObject, configMaps: K8sObject[]): Record<string, string> {
  const secrets: Record<string, string> = {
    MONGO_URL: 'mongodb://mongo.example:27017/?replicaSet=rs0&w=majority',
    PAYMENT_WEBHOOK_SECRET: 'test-secret',
  };
  const env: Record<string, string> = {};
  for (const [name, source] of resolveEnv(containerOf(workload), configMaps)) {
    if (source.from === 'value') env[name] = source.value;
    else if (source.from === 'configMap') env[name] = source.value ?? '';
    else if (source.from === 'secret' && secrets[source.key] !== undefined) env[name] = secrets[source.key]!;
  }
  return env;
}

/** Each service's own configuration parser: a rendered environment must pass it. */
export const LOADERS: Record<ContractServiceName, (env: Record<string, string>) => unknown> = {
  api: loadApiConfig,
  processor: loadProcessorConfig,
  notifier: loadNotifierConfig,
  scheduler: loadSchedulerConfig,
  'payment-simulator': loadSimulatorConfig,
};
