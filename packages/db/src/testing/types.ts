import type { Database } from '../client/types';

export interface TestDatabase extends Database {
  /** Database name on the server (`af_test_...`), or `memory://` for PGlite. */
  name: string;
  /**
   * Empties every table (TRUNCATE ... CASCADE) while keeping the schema: much cheaper than a new
   * database, for files that want a clean slate per test (e.g. in beforeEach).
   */
  reset(): Promise<void>;
  /** Closes the connection and drops the database. Safe to call twice. */
  cleanup(): Promise<void>;
}
