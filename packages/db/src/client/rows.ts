/**
 * `db.execute()` resolves to a row array on postgres.js and to `{ rows }` on PGlite. Raw-SQL callers
 * go through this so they stay driver-agnostic.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  throw new Error('Unexpected db.execute() result shape');
}
