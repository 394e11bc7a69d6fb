#!/usr/bin/env node
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { ConfigError, createTopology, EXIT_CONFIG, errorMessage } from '@orderflow/platform';
import { parseCommandLine, type Invocation } from './cli-args.js';
import { loadDlqConfig, type DlqConfig } from './config.js';
import { createTerminalConfirm } from './confirm.js';
import { connectOnce, displayServers } from './connect.js';
import { dlqStreamName } from './dlq-subjects.js';
import { UsageError } from './errors.js';
import { createStreamOutput } from './output.js';
import { runInvocation } from './run.js';
import { USAGE } from './usage.js';

const EXIT_USAGE = 2;
const out = createStreamOutput(process.stdout, process.stderr);

async function main(): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    out.note(`orderflow: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (invocation.command === 'help') {
    out.line(USAGE);
    return 0;
  }
  let config: DlqConfig;
  try {
    config = loadDlqConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.note(error.message);
    return EXIT_CONFIG;
  }
  const topology = createTopology(config.bus);
  try {
    const nc = await connectOnce(config.nats);
    try {
      const jsm = await jetstreamManager(nc);
      const confirm = createTerminalConfirm(process.stdin, process.stderr);
      return await runInvocation({ jsm, js: jetstream(nc), topology, out, confirm }, invocation);
    } finally {
      await nc.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      out.note(`orderflow: ${error.message}${error.showUsage ? `\n\n${USAGE}` : ''}`);
      return EXIT_USAGE;
    }
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
      out.note(
        `orderflow: there is no stream ${dlqStreamName(topology)} at ${displayServers(config.nats.url)}; ` +
          'the services create it at startup (is NATS_NAMESPACE right?)',
      );
      return 1;
    }
    out.note(`orderflow: ${errorMessage(error)}`);
    return 1;
  }
}

/** Exits once everything written has been handed over: writes to a pipe finish asynchronously. */
async function exit(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

await exit(await main());
