import { AppError } from '@agentflow/contracts';
import { type Column, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';

/**
 * Keyset pagination over `(created_at DESC, id DESC)`, the order of every `(org_id, created_at desc,
 * id desc)` list index. The cursor is opaque to clients: base64url of the last row's key.
 *
 * The timestamp travels as Postgres text with microseconds: a JS Date keeps only milliseconds, and a
 * truncated cursor would skip the rows created within the same millisecond as the page's last row.
 */

const cursorSchema = z.object({ t: z.string().min(1).max(64), i: z.uuid() });
export type CursorKey = z.infer<typeof cursorSchema>;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  // Also reject a timestamp Postgres would not parse, so a forged cursor is a 422, not a 500.
  if (!result.success || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(result.data.t)) {
    throw new AppError(
      'VALIDATION_ERROR',
      'The cursor is not valid: pass next_cursor from a previous page.',
      {
        fields: [{ path: 'query.cursor', message: 'invalid cursor', code: 'invalid_cursor' }],
      },
    );
  }
  return result.data;
}

/** The exact created_at as text (UTC, microseconds); select it alongside each row to build cursors. */
export function cursorTimestamp(createdAt: Column): SQL<string> {
  return sql<string>`to_char(${createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows strictly after the cursor in `(created_at DESC, id DESC)` order; a row comparison the index serves. */
export function afterCursor(createdAt: Column, id: Column, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor);
  return sql`(${createdAt}, ${id}) < (${key.t}::timestamptz, ${key.i}::uuid)`;
}

/**
 * Callers fetch `limit + 1` rows: the extra one only tells whether another page exists.
 * Returns the page and the cursor of its last row (null on the last page).
 */
export function toPage<T extends { id: string; cursorAt: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return { rows: page, nextCursor: encodeCursor({ t: last.cursorAt, i: last.id }) };
}
