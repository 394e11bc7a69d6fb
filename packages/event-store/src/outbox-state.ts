import type { Db } from '@orderflow/platform';
import { EVENTS, type EventDocument } from './documents.js';

/** Order events not yet on NATS, and when the oldest of them was appended. */
export interface OutboxState {
  readonly backlog: number;
  readonly oldestAt: Date | undefined;
}

/** Reads the outbox through the `outbox` index (`unpublished`, `at`). */
export async function readOutboxState(db: Db): Promise<OutboxState> {
  const events = db.collection<EventDocument>(EVENTS);
  const [backlog, oldest] = await Promise.all([
    events.countDocuments({ unpublished: true }),
    events.findOne({ unpublished: true }, { sort: { at: 1 }, projection: { at: 1 } }),
  ]);
  return { backlog, oldestAt: oldest?.at };
}
