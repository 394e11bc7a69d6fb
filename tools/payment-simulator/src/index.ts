export { DEV_WEBHOOK_SECRET, loadSimulatorConfig, simulatorVariables } from './config.js';
export type { SimulatorConfig, WebhookSettings } from './config.js';
export type { ChaosSettings } from './chaos.js';
export { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator.js';
export { signatureFor } from './signature.js';
export type { Payment, SimulatorStats, WebhookDelivery } from './payment-store.js';
export type { PaymentOutcome, ProviderEvent, ProviderEventType } from './provider-events.js';
