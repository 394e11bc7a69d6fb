/** `orderflow --help`. */
export const USAGE = `Usage: orderflow dlq <command> [options]

Inspect dead letters (messages that exhausted their deliveries) and put them back.

Commands:
  list [--subject <subject>] [--limit <n>] [--json]
      One line per dead letter, oldest first: DLQ sequence, failed-at time, original
      subject, consumer, deliveries, reason. At most 100 unless --limit says otherwise;
      --json prints one JSON object per line.
  show <seq> [--json]
      Headers, reason and body of the dead letter at DLQ sequence <seq>.
  replay <seq>...
  replay --all [--subject <subject>] [--yes]
      Re-publishes each dead letter to its original subject, once, and then deletes it
      from DLQ. --all asks for confirmation unless --yes.
  purge [--subject <subject>] [--yes]
      Deletes dead letters after confirmation; without a terminal to ask on, only
      with --yes.

<subject> is an original subject or a wildcard: order.created.high, order.created.*, payment.>

Environment: NATS_URL (default nats://127.0.0.1:4222), NATS_USER, NATS_PASSWORD,
NATS_TOKEN, NATS_NAMESPACE.

Exit codes: 0 done; 1 something was not found, not replayed or not confirmed, or NATS
failed; 2 a usage error or a refusal; 78 invalid environment.`;
