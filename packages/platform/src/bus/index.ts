export type {
  Backlog,
  BusMessage,
  Consumption,
  ConsumeOptions,
  DeadLetter,
  EventBus,
  LiveMessage,
  MessageHandler,
  MessageOutcome,
  PublishOptions,
  PublishResult,
  Watch,
  WatchListener,
} from './types.js';
export { createMemoryBus } from './memory-bus.js';
export { createJetStreamBus } from './jetstream-bus.js';
export { ensureTopology } from './jetstream-topology.js';
export { readDeadLetter, DLQ_HEADERS } from './dead-letter.js';
export { decideFailure, type FailureDecision } from './failure-policy.js';
export {
  CONSUMERS,
  DLQ_PREFIX,
  LANES,
  STREAMS,
  TERMINAL_STATUSES,
  createTopology,
  subjectMatches,
  type ConsumerSpec,
  type StreamSpec,
  type Topology,
} from './topology.js';
