import type { MongoClient } from 'mongodb';
import { Counter, type Registry } from 'prom-client';

/** Write commands and the field of each that holds its statements. */
const STATEMENTS: Readonly<Record<string, string>> = { insert: 'documents', update: 'updates', delete: 'deletes' };

/**
 * Counts the commands this process sends to MongoDB, by command name, and the documents
 * or statements of its write commands: `orderflow_mongodb_commands_total` and
 * `orderflow_mongodb_write_statements_total`. What the benchmark divides by orders to give
 * writes per order; for operators, the load each service puts on the database.
 */
export function measureMongoCommands(client: MongoClient, registry: Registry): void {
  const registers = [registry];
  const commands = new Counter({
    name: 'orderflow_mongodb_commands_total',
    help: 'Commands sent to MongoDB, by command name (insert, update, find, …)',
    labelNames: ['command'] as const,
    registers,
  });
  const statements = new Counter({
    name: 'orderflow_mongodb_write_statements_total',
    help: 'Documents inserted and update or delete statements sent to MongoDB, by command',
    labelNames: ['command'] as const,
    registers,
  });
  for (const command of Object.keys(STATEMENTS)) {
    commands.inc({ command }, 0);
    statements.inc({ command }, 0);
  }
  client.on('commandStarted', (event) => {
    const command = event.commandName;
    commands.inc({ command });
    const field = STATEMENTS[command];
    if (field === undefined) return;
    const list: unknown = (event.command as Record<string, unknown>)[field];
    statements.inc({ command }, Array.isArray(list) ? list.length : 1);
  });
}
