/**
 * Why `text` cannot be stored and read back exactly, or undefined when it can: U+0000
 * (MongoDB-compatible servers on PostgreSQL refuse it) and lone surrogates (not Unicode,
 * stored as U+FFFD by every driver, so the order read back would differ).
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'text may not contain NUL';
  if (!text.isWellFormed()) return 'text must be well-formed Unicode (no lone surrogates)';
  return undefined;
}
