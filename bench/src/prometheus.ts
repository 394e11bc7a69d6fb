import type { StoreTraffic } from './types.js';

/** The counters the services expose for their MongoDB traffic. */
export const COMMANDS_METRIC = 'orderflow_mongodb_commands_total';
export const WRITE_DOCUMENTS_METRIC = 'orderflow_mongodb_write_documents_total';
/** The same count under the name the platform exposes it by; read when the first is absent. */
export const WRITE_STATEMENTS_METRIC = 'orderflow_mongodb_write_statements_total';

/** Commands that change data. */
export const WRITE_COMMANDS: readonly string[] = ['insert', 'update', 'delete', 'findAndModify'];
/** Commands that read data. */
export const READ_COMMANDS: readonly string[] = ['find', 'getMore', 'aggregate', 'count', 'distinct'];

/** Per-command values of one metric in one scrape; undefined when the metric is absent. */
export type CommandCounts = ReadonlyMap<string, number>;

/**
 * The values of counter `name` in Prometheus text, summed by their `command` label;
 * undefined when no series of that name is present at all.
 */
export function countsByCommand(text: string, name: string): CommandCounts | undefined {
  const counts = new Map<string, number>();
  let present = false;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    present = true;
    const command = /(?:^|,)\s*command="((?:[^"\\]|\\.)*)"/.exec(match[2] ?? '')?.[1] ?? '';
    const value = Number(match[3]);
    if (Number.isFinite(value)) counts.set(command, (counts.get(command) ?? 0) + value);
  }
  return present ? counts : undefined;
}

/** One process's MongoDB counters at one moment. */
export interface StoreCounters {
  readonly commands: CommandCounts | undefined;
  readonly writeDocuments: CommandCounts | undefined;
}

/** Parses one /metrics answer. */
export function storeCountersOf(text: string): StoreCounters {
  return {
    commands: countsByCommand(text, COMMANDS_METRIC),
    writeDocuments: countsByCommand(text, WRITE_DOCUMENTS_METRIC) ?? countsByCommand(text, WRITE_STATEMENTS_METRIC),
  };
}

/**
 * Store traffic per order between two scrapes of every process (name → counters), or
 * null when no process exposes the commands counter. Counters that went down (a
 * restarted process) count from zero.
 */
export function storeTrafficBetween(
  before: Readonly<Record<string, StoreCounters>>,
  after: Readonly<Record<string, StoreCounters>>,
  orders: number,
): StoreTraffic | null {
  const exposedBy = Object.keys(after).filter((name) => after[name]?.commands !== undefined);
  if (exposedBy.length === 0) return null;
  const commands: Record<string, number> = {};
  const byProcess: Record<string, Record<string, number>> = {};
  let statements = 0;
  let statementsSeen = false;
  for (const name of exposedBy) {
    const own: Record<string, number> = (byProcess[name] = {});
    for (const [command, delta] of deltas(before[name]?.commands, after[name]?.commands)) {
      commands[command] = (commands[command] ?? 0) + delta;
      own[command] = delta;
    }
    const docs = after[name]?.writeDocuments;
    if (docs !== undefined) {
      statementsSeen = true;
      for (const [, delta] of deltas(before[name]?.writeDocuments, docs)) statements += delta;
    }
  }
  const sumOf = (names: readonly string[], counted: Readonly<Record<string, number>> = commands) =>
    Object.entries(counted)
      .filter(([command]) => names.some((n) => n.toLowerCase() === command.toLowerCase()))
      .reduce((sum, [, value]) => sum + value, 0);
  const perOrder = (value: number) => (orders > 0 ? value / orders : null);
  return {
    exposedBy,
    writesPerOrder: perOrder(sumOf(WRITE_COMMANDS)),
    statementsPerOrder: statementsSeen ? perOrder(statements) : null,
    readsPerOrder: perOrder(sumOf(READ_COMMANDS)),
    perProcess: Object.fromEntries(
      Object.entries(byProcess).map(([name, own]) => [
        name,
        { writesPerOrder: perOrder(sumOf(WRITE_COMMANDS, own)), readsPerOrder: perOrder(sumOf(READ_COMMANDS, own)) },
      ]),
    ),
    commands,
  };
}

function deltas(before: CommandCounts | undefined, after: CommandCounts | undefined): Map<string, number> {
  const result = new Map<string, number>();
  for (const [command, value] of after ?? []) {
    const previous = before?.get(command) ?? 0;
    result.set(command, value >= previous ? value - previous : value);
  }
  return result;
}

/** Scrapes every `name → /metrics URL`; a process that does not answer has no counters. */
export async function scrapeStoreCounters(
  urls: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<Record<string, StoreCounters>> {
  const result: Record<string, StoreCounters> = {};
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        result[name] = storeCountersOf(response.ok ? await response.text() : '');
      } catch {
        result[name] = { commands: undefined, writeDocuments: undefined };
      }
    }),
  );
  return result;
}
