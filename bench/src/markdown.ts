/** A GitHub-flavoured Markdown table; `|` and newlines inside cells are escaped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const width = headers.length;
  const padded = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
  return [line(headers), line(headers.map(() => '---')), ...padded.map(line)].join('\n');
}

/** A number with `digits` decimals, or `n/a`. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A rate: whole numbers, one decimal below 10 so that slow systems do not read as 0. */
export function perSec(value: number | null | undefined): string {
  return num(value, value !== null && value !== undefined && Math.abs(value) < 10 ? 1 : 0);
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? 'n/a' : `${num(bytes / 1_048_576, 1)} MiB`;
}

/** `p50 / p95 / p99 / max` in ms. */
export function percentiles(summary: {
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}): string {
  return [summary.p50Ms, summary.p95Ms, summary.p99Ms, summary.maxMs].map((v) => num(v, 1)).join(' / ');
}

/** `name value · name value` for small maps, in key order; `—` when empty. */
export function pairs(values: Readonly<Record<string, number>>, format: (n: number) => string = (n) => num(n)): string {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k} ${format(v)}`).join(' · ');
}
