import t from 'tap';
import { backendsOf, descendantsOf, parseProcStat, parseProcStatus } from '../src/proc-stat.js';

const statLine = (comm: string) =>
  `4242 (${comm}) S 4000 4242 4000 0 -1 4194560 52000 0 3 0 1234 567 89 10 20 0 11 0 900 1000000 5000 18446744073709551615`;

t.test('utime and stime are fields 14 and 15, cutime and cstime 16 and 17', async (t) => {
  t.same(parseProcStat(statLine('node')), { pid: 4242, ppid: 4000, cpuTicks: 1234 + 567, childTicks: 89 + 10 });
});

t.test('a command name with spaces and parentheses does not shift the fields', async (t) => {
  t.same(parseProcStat(statLine('my (odd) name')), { pid: 4242, ppid: 4000, cpuTicks: 1801, childTicks: 99 });
});

t.test('text that is not a stat line parses to undefined', async (t) => {
  t.equal(parseProcStat(''), undefined);
  t.equal(parseProcStat('4242 (node) S 1 2'), undefined);
});

t.test('VmRSS and VmHWM are read in kB and returned in bytes', async (t) => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
  t.same(parseProcStatus(status), { rssBytes: 102_400 * 1_024, hwmBytes: 204_800 * 1_024 });
});

t.test('a status without memory lines (a kernel thread or zombie) reads as zero', async (t) => {
  t.same(parseProcStatus('Name:\tkthreadd\nState:\tS\n'), { rssBytes: 0, hwmBytes: 0 });
});

t.test('descendants include grandchildren and exclude unrelated processes', async (t) => {
  const parentOf = new Map([
    [10, 1],
    [11, 10],
    [12, 10],
    [13, 12],
    [20, 1],
  ]);
  t.same(descendantsOf(10, parentOf).sort(), [11, 12, 13]);
  t.same(descendantsOf(20, parentOf), []);
});

t.test(
  "PostgreSQL backends of one database match by title, other databases and the server's own processes do not",
  async (t) => {
    const ours = backendsOf('ferretdb_bench.1');
    t.ok(ours.test('postgres: 15/main: postgres ferretdb_bench.1 127.0.0.1(54012) idle '));
    t.ok(ours.test('postgres: postgres ferretdb_bench.1 [local] SELECT '));
    t.notOk(ours.test('postgres: 15/main: postgres ferretdb_bench_1 127.0.0.1(54012) idle '), 'the dot is literal');
    t.notOk(ours.test('postgres: 15/main: postgres ferretdb_bench.10 127.0.0.1(54012) idle '));
    t.notOk(ours.test('postgres: 15/main: walwriter '));
    t.notOk(ours.test('node ferretdb_bench.1 '));
  },
);
