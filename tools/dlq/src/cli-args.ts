import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ListOptions } from './commands/list.js';
import type { PurgeOptions } from './commands/purge.js';
import type { ReplayOptions } from './commands/replay.js';
import type { ShowOptions } from './commands/show.js';
import { UsageError } from './errors.js';

/** What the command line asks for. */
export type Invocation =
  | { readonly command: 'help' }
  | { readonly command: 'list'; readonly options: ListOptions }
  | { readonly command: 'show'; readonly options: ShowOptions }
  | { readonly command: 'replay'; readonly options: ReplayOptions }
  | { readonly command: 'purge'; readonly options: PurgeOptions };

const DEFAULT_LIST_LIMIT = 100;

const help = { type: 'boolean', short: 'h' } as const;
const subject = { type: 'string' } as const;
const json = { type: 'boolean' } as const;
const yes = { type: 'boolean', short: 'y' } as const;

/** Parses the arguments after the program name; throws a UsageError for anything it does not know. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const [group, command, ...rest] = argv;
  if (group === '--help' || group === '-h') return { command: 'help' };
  if (group !== 'dlq') throw new UsageError(group === undefined ? 'missing command' : `unknown command "${group}"`);
  if (command === '--help' || command === '-h') return { command: 'help' };
  switch (command) {
    case 'list': {
      const { values } = parse(rest, { help, subject, json, limit: { type: 'string' } }, false);
      if (values.help) return { command: 'help' };
      const limit = values.limit === undefined ? DEFAULT_LIST_LIMIT : positiveInteger('--limit', values.limit);
      return { command, options: { subject: values.subject, limit, json: values.json === true } };
    }
    case 'show': {
      const { values, positionals } = parse(rest, { help, json }, true);
      if (values.help) return { command: 'help' };
      if (positionals.length !== 1) throw new UsageError('show takes exactly one DLQ sequence');
      return { command, options: { seq: positiveInteger('<seq>', positionals[0] ?? ''), json: values.json === true } };
    }
    case 'replay': {
      const { values, positionals } = parse(rest, { help, subject, yes, all: { type: 'boolean' } }, true);
      if (values.help) return { command: 'help' };
      return { command, options: replayOptions(values, positionals) };
    }
    case 'purge': {
      const { values } = parse(rest, { help, subject, yes }, false);
      if (values.help) return { command: 'help' };
      return { command, options: { subject: values.subject, yes: values.yes === true } };
    }
    case undefined:
      throw new UsageError('missing dlq command (list, show, replay or purge)');
    default:
      throw new UsageError(`unknown dlq command "${command}"`);
  }
}

function replayOptions(
  values: { all?: boolean; subject?: string; yes?: boolean },
  positionals: readonly string[],
): ReplayOptions {
  if (values.all === true) {
    if (positionals.length > 0) throw new UsageError('replay takes either DLQ sequences or --all, not both');
    return { kind: 'all', subject: values.subject, yes: values.yes === true };
  }
  if (positionals.length === 0) throw new UsageError('replay needs DLQ sequences or --all');
  if (values.subject !== undefined) throw new UsageError('--subject selects dead letters for --all only');
  return { kind: 'seqs', seqs: positionals.map((value) => positiveInteger('<seq>', value)) };
}

/** `parseArgs` in strict mode, its errors turned into UsageErrors. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`${name} must be a whole number from 1, got "${value}"`);
  }
  return number;
}
