/** Histograms named in SPEC §9 and the default process metrics; each exposes _bucket, _sum, _count. */
const HISTOGRAMS = [
  'orderflow_http_request_duration_seconds',
  'orderflow_order_completion_seconds',
  'orderflow_validation_duration_seconds',
  'nodejs_gc_duration_seconds',
];

/** Counters and gauges the services export, plus Prometheus' own `up`. */
const SERIES = [
  'orderflow_orders_created_total',
  'orderflow_order_transitions_total',
  'orderflow_validation_pool_utilization',
  'orderflow_validation_pool_queue_size',
  'orderflow_consumer_pending_messages',
  'orderflow_consumer_ack_pending_messages',
  'orderflow_messages_handled_total',
  'orderflow_dlq_messages_total',
  'orderflow_outbox_backlog',
  'orderflow_outbox_oldest_age_seconds',
  'orderflow_notifications_total',
  'orderflow_sse_clients',
  'orderflow_eventloop_lag_seconds',
  'orderflow_dependency_up',
  'orderflow_scheduler_ticks_total',
  'orderflow_scheduler_tick_failures_total',
  'orderflow_scheduler_leader',
  'orderflow_orders_expired_total',
  'orderflow_outbox_republished_total',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_handles',
  'up',
];

/** Every series name a dashboard or an alert may read. */
export const SPEC_SERIES_NAMES: ReadonlySet<string> = new Set([
  ...SERIES,
  ...HISTOGRAMS.flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
]);
