import type { PGlite } from '@electric-sql/pglite';

/**
 * Driver handles that migrate() and the test helpers need but callers must not: kept out of the
 * public `Database` shape and attached per instance instead.
 */
export type DriverInternals = { driver: 'postgres'; url: string } | { driver: 'pglite'; client: PGlite };

const internals = new WeakMap<object, DriverInternals>();

export function attachInternals<T extends object>(database: T, value: DriverInternals): T {
  internals.set(database, value);
  return database;
}

export function getInternals(database: object): DriverInternals | undefined {
  return internals.get(database);
}
