import t from 'tap';
import { describeBody, hexDump } from '../src/body-format.js';

const bytes = (text: string) => new TextEncoder().encode(text);

t.test('a body that parses as JSON is described as JSON', async (t) => {
  t.same(describeBody(bytes('{"a":[1,2]}')), { kind: 'json', value: { a: [1, 2] } });
  t.same(describeBody(bytes('42')), { kind: 'json', value: 42 });
});

t.test('clean UTF-8 that is not JSON is text, including an empty body', async (t) => {
  t.same(describeBody(bytes('héllo\n\tworld')), { kind: 'text', text: 'héllo\n\tworld' });
  t.same(describeBody(new Uint8Array()), { kind: 'text', text: '' });
});

t.test('invalid UTF-8 or control characters make a body binary', async (t) => {
  t.equal(describeBody(new Uint8Array([0xc3, 0x28])).kind, 'binary');
  t.equal(describeBody(bytes('a\u0000b')).kind, 'binary');
});

t.test('the hex dump shows offsets, 16 bytes a line and printable ASCII', async (t) => {
  const data = bytes('0123456789abcdefXY');

  t.same(hexDump(data), [
    '00000000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef',
    `00000010  58 59${' '.repeat(42)}  XY`,
  ]);
});
