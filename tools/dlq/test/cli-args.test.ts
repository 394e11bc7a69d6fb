import t from 'tap';
import { parseCommandLine } from '../src/cli-args.js';
import { UsageError } from '../src/errors.js';

t.test('each command parses into its options', async (t) => {
  t.same(parseCommandLine(['dlq', 'list']), {
    command: 'list',
    options: { subject: undefined, limit: 100, json: false },
  });
  t.same(parseCommandLine(['dlq', 'list', '--subject', 'order.>', '--limit', '5', '--json']), {
    command: 'list',
    options: { subject: 'order.>', limit: 5, json: true },
  });
  t.same(parseCommandLine(['dlq', 'show', '7', '--json']), { command: 'show', options: { seq: 7, json: true } });
  t.same(parseCommandLine(['dlq', 'replay', '3', '4', '3']), {
    command: 'replay',
    options: { kind: 'seqs', seqs: [3, 4, 3] },
  });
  t.same(parseCommandLine(['dlq', 'replay', '--all', '--subject', 'payment.>', '--yes']), {
    command: 'replay',
    options: { kind: 'all', subject: 'payment.>', yes: true },
  });
  t.same(parseCommandLine(['dlq', 'purge', '-y']), { command: 'purge', options: { subject: undefined, yes: true } });
});

t.test('--help anywhere asks for the usage', async (t) => {
  for (const argv of [['--help'], ['-h'], ['dlq', '--help'], ['dlq', 'purge', '--help'], ['dlq', 'show', '-h']]) {
    t.same(parseCommandLine(argv), { command: 'help' }, argv.join(' '));
  }
});

t.test('unknown commands, unknown flags and malformed values are usage errors', async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [['queue', 'list'], /unknown command "queue"/],
    [['dlq'], /missing dlq command/],
    [['dlq', 'drop'], /unknown dlq command "drop"/],
    [['dlq', 'list', '--colour'], /Unknown option '--colour'/],
    [['dlq', 'list', 'extra'], /Unexpected argument 'extra'/],
    [['dlq', 'list', '--limit', '0'], /--limit must be a whole number from 1, got "0"/],
    [['dlq', 'list', '--limit', 'ten'], /--limit must be a whole number/],
    [['dlq', 'show'], /exactly one DLQ sequence/],
    [['dlq', 'show', '1', '2'], /exactly one DLQ sequence/],
    [['dlq', 'show', '-3'], /Unknown option '-3'/],
    [['dlq', 'replay'], /needs DLQ sequences or --all/],
    [['dlq', 'replay', '1', '--all'], /either DLQ sequences or --all/],
    [['dlq', 'replay', '1', '--subject', 'order.>'], /--subject selects dead letters for --all only/],
    [['dlq', 'purge', '--yes=no'], /does not take an argument/],
  ];
  for (const [argv, message] of cases) {
    t.throws(() => parseCommandLine(argv), UsageError, argv.join(' ') || '(nothing)');
    t.throws(() => parseCommandLine(argv), { message }, argv.join(' ') || '(nothing)');
  }
});
