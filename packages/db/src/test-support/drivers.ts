import { createTestDatabase } from '../testing';
import type { TestDatabase } from '../testing/types';

/**
 * This package's own tests run against both drivers: PGlite always, Postgres when DATABASE_URL is
 * set. (Other packages just call createTestDatabase(), which picks one driver from the env.)
 */
export interface TestDriver {
  name: 'pglite' | 'postgres';
  /** Undefined for PGlite, the server URL for Postgres. */
  databaseUrl: string | undefined;
  skip: boolean;
  /** Appended to describe() titles so a skipped suite says why. */
  label: string;
  create(options?: { migrated?: boolean }): Promise<TestDatabase>;
}

const url = process.env.DATABASE_URL || undefined;

export const drivers: TestDriver[] = [
  {
    name: 'pglite',
    databaseUrl: undefined,
    skip: false,
    label: '[pglite]',
    create: (options = {}) => createTestDatabase({ ...options, databaseUrl: undefined }),
  },
  {
    name: 'postgres',
    databaseUrl: url,
    skip: !url,
    label: url ? '[postgres]' : '[postgres: SKIPPED, DATABASE_URL is not set]',
    create: (options = {}) => createTestDatabase({ ...options, databaseUrl: url }),
  },
];
