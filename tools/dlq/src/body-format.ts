/** A message body in the most readable form it allows. */
export type DescribedBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Control characters other than tab, line feed and carriage return mark a body as binary. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const HEX_BYTES_PER_LINE = 16;

/** JSON when the body parses as JSON, text when it is clean UTF-8, binary otherwise. */
export function describeBody(data: Uint8Array): DescribedBody {
  let text: string;
  try {
    text = strictUtf8.decode(data);
  } catch {
    return { kind: 'binary', bytes: data };
  }
  if (CONTROL_CHARS.test(text)) return { kind: 'binary', bytes: data };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'text', text };
  }
}

/** Lines of `offset  hex bytes  printable ASCII`, as `xxd` shows them. */
export function hexDump(data: Uint8Array): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < data.length; offset += HEX_BYTES_PER_LINE) {
    const chunk = data.subarray(offset, offset + HEX_BYTES_PER_LINE);
    const hex = [...chunk].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(HEX_BYTES_PER_LINE * 3 - 1)}  ${ascii}`);
  }
  return lines;
}
