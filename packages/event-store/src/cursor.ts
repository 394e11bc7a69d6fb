import { unstorableText } from '@orderflow/core';

/** Position after the last order of a page: newest first by creation time, then id. */
export interface ListCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Opaque to clients: base64url of `[iso time, id]`. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** The cursor, or undefined when the text is not one this API issued. */
export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [iso, id] = value as unknown[];
    if (typeof iso !== 'string' || typeof id !== 'string' || unstorableText(id)) return undefined;
    const createdAt = new Date(iso);
    if (Number.isNaN(createdAt.getTime())) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}
