import { prepareTestDatabases } from '../testing';

// Printed once per `vitest run`, so nobody mistakes a PGlite-only run for full coverage.
export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL || undefined;
  if (url) {
    console.info(
      `[db tests] drivers: pglite + postgres (${url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')})`,
    );
  } else {
    console.warn(
      '[db tests] drivers: pglite only. Postgres suites are SKIPPED because DATABASE_URL is not set ' +
        '(e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres).',
    );
  }
  // Both drivers run here, so warm both before the workers start.
  await prepareTestDatabases({ databaseUrl: undefined });
  if (url) await prepareTestDatabases({ databaseUrl: url });
}
