import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import * as schema from '../schema';
import { attachInternals } from './internals';
import { roleScopedClient } from './pglite-role';
import { assertRoleName } from './roles';
import type { Database, Db } from './types';

export const DEFAULT_PGLITE_DIR = '.data/pglite';

export interface PgliteOptions {
  /** Run every statement as this role (see roleScopedClient); undefined = the superuser. */
  role?: string | undefined;
}

/** Embedded Postgres (WASM) with pgvector: the zero-install default when DATABASE_URL is unset. */
export async function createPgliteDb(
  dataDir: string = DEFAULT_PGLITE_DIR,
  options: PgliteOptions = {},
): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir, { extensions: { vector } });
  return wrapPglite(client, options);
}

export interface WrapPgliteOptions extends PgliteOptions {
  /** false: close() leaves the client open (a second handle on a client someone else owns). */
  ownsClient?: boolean;
}

export function wrapPglite(client: PGlite, options: WrapPgliteOptions = {}): Database {
  const role = options.role === undefined ? undefined : assertRoleName(options.role);
  const queryClient = role ? roleScopedClient(client, role) : client;
  const db = drizzle({ client: queryClient, schema }) as unknown as Db;
  let closed = false;
  const database: Database = {
    db,
    driver: 'pglite',
    role,
    async ping() {
      await queryClient.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.ownsClient !== false) await client.close();
    },
  };
  // migrate() uses the raw client: it must run as the superuser whatever role the handle has.
  return attachInternals(database, { driver: 'pglite', client });
}
