import t from 'tap';
import { formatMinor, toMajor, toMinor } from '@orderflow/core';

t.test('decimal amounts convert to minor units exactly', async (t) => {
  t.equal(toMinor(10_000), 1_000_000);
  t.equal(toMinor(10_000.01), 1_000_001);
  t.equal(toMinor(300_000_000.29), 30_000_000_029, 'large amounts keep their cents');
  t.equal(toMinor(19.99), 1_999);
});

t.test('more than two decimals or non-finite amounts have no minor units', async (t) => {
  t.equal(toMinor(1.005), undefined);
  t.equal(toMinor(10.000000001), undefined, 'a billionth is not a cent');
  t.equal(toMinor(0.1 + 0.2), undefined, 'computed binary noise is not two decimals');
  t.equal(toMinor(Number.NaN), undefined);
  t.equal(toMinor(Number.POSITIVE_INFINITY), undefined);
});

t.test('minor units format with two decimals and convert back', async (t) => {
  t.equal(formatMinor(1_000_001), '10000.01');
  t.equal(formatMinor(5), '0.05');
  t.equal(formatMinor(-150), '-1.50');
  t.equal(toMajor(1_234), 12.34);
});
