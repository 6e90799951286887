import { join, resolve } from 'node:path';
import { APP_ROLE, createDb, locateMigrationsDir, rowsOf } from '@agentflow/db';
import { sql } from 'drizzle-orm';
import { createKeyring, MasterKeyConfigError } from '../secrets';
import { runRotateKeys } from '../secrets/rotate-command';

// `pnpm --filter @agentflow/services keys:rotate [--org <id>] [--rewrap-master]`. Targets the same
// database as `pnpm db:migrate`: DATABASE_URL when set, otherwise the embedded PGlite database the API
// uses (PGLITE_DIR, or DATA_DIR/pglite with DATA_DIR defaulting to the repository's .data). Runs as the
// app role, so RLS applies: org work goes through withOrg, the cross-org parts through asSystem.
async function main(): Promise<number> {
  let keyring: ReturnType<typeof createKeyring>;
  try {
    keyring = createKeyring(process.env, { warn: (message) => console.warn(`warning: ${message}`) });
  } catch (error) {
    if (error instanceof MasterKeyConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const dataDir =
    process.env.PGLITE_DIR ||
    join(resolve(process.env.DATA_DIR || join(locateMigrationsDir(), '..', '.data')), 'pglite');
  console.log(`target: ${databaseUrl ? `postgres ${redact(databaseUrl)}` : `pglite ${dataDir}`}`);
  const database = await createDb({ databaseUrl, dataDir, maxConnections: 2, role: APP_ROLE });
  try {
    const [present] = rowsOf<{ ok: boolean }>(
      await database.db.execute(sql`select to_regclass('public.org_data_keys') is not null as ok`),
    );
    if (!present?.ok) {
      console.error('the database is not migrated (no org_data_keys table): run `pnpm db:migrate` first');
      return 1;
    }
    return await runRotateKeys(process.argv.slice(2), {
      db: database.db,
      keyring,
      log: (line) => console.log(line),
    });
  } finally {
    await database.close();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only our own messages reach here (SecretDecryptionError never carries secret material).
    console.error('key rotation failed:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
