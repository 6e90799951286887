import type { Database } from '../client/types';

export interface TestDatabase extends Database {
  /** Database name on the server (`af_test_...`), or `memory://` for PGlite. */
  name: string;
  /**
   * Empties every table (TRUNCATE ... CASCADE) while keeping the schema: much cheaper than a new
   * database, for files that want a clean slate per test (e.g. in beforeEach).
   */
  reset(): Promise<void>;
  /**
   * Another handle on the same database whose statements run as `role` (e.g. `APP_ROLE`, so RLS
   * applies), while this one stays the owner for fixtures. Closed by `cleanup()`; closing it early is
   * fine. PGlite shares its single session: see `roleScopedClient`.
   */
  connectAs(role: string): Database;
  /** Closes the connection(s) and drops the database. Safe to call twice. */
  cleanup(): Promise<void>;
}
