/**
 * The deployment contract of each workload: its named port, readiness path and every
 * variable it reads (from the services' own config schemas), for the manifest and chart
 * tests to check against.
 */
import { simulatorVariables } from '@orderflow/payment-simulator';
import { apiVariables } from '../../../services/api/src/config.js';
import { notifierVariables } from '../../../services/notifier/src/config.js';
import { processorVariables } from '../../../services/processor/src/config.js';
import { schedulerVariables } from '../../../services/scheduler/src/config.js';
import { TEST_ONLY_VARIABLES, type ServiceExpectation } from './deployment-checks.js';

/** The standard OpenTelemetry variables every process honours (docs/observability.md). */
export const OTEL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
] as const;

const testOnly = new Set<string>(TEST_ONLY_VARIABLES);
const required = (variables: object): string[] => [
  ...Object.keys(variables).filter((name) => !testOnly.has(name)),
  ...OTEL_VARIABLES,
];

/** The four services and the simulator, by `app.kubernetes.io/name`. */
export const CONTRACT_SERVICES = {
  api: {
    name: 'api',
    portName: 'http',
    port: 8080,
    requiredEnv: required(apiVariables),
    explicitEnv: ['API_WORKERS'],
  },
  processor: { name: 'processor', portName: 'ops', port: 9101, requiredEnv: required(processorVariables) },
  notifier: { name: 'notifier', portName: 'ops', port: 9102, requiredEnv: required(notifierVariables) },
  scheduler: { name: 'scheduler', portName: 'ops', port: 9103, requiredEnv: required(schedulerVariables) },
  'payment-simulator': {
    name: 'payment-simulator',
    portName: 'http',
    port: 8090,
    readinessPath: '/health',
    metrics: false,
    requiredEnv: required(simulatorVariables),
  },
} as const satisfies Record<string, ServiceExpectation>;

export type ContractServiceName = keyof typeof CONTRACT_SERVICES;
