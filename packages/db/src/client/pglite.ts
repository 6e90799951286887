import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import * as schema from '../schema';
import { attachInternals } from './internals';
import type { Database, Db } from './types';

export const DEFAULT_PGLITE_DIR = '.data/pglite';

/** Embedded Postgres (WASM) with pgvector: the zero-install default when DATABASE_URL is unset. */
export async function createPgliteDb(dataDir: string = DEFAULT_PGLITE_DIR): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir, { extensions: { vector } });
  return wrapPglite(client);
}

export function wrapPglite(client: PGlite): Database {
  const db = drizzle({ client, schema }) as unknown as Db;
  let closed = false;
  const database: Database = {
    db,
    driver: 'pglite',
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
  return attachInternals(database, { driver: 'pglite', client });
}
