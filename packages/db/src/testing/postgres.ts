import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createPostgresDb } from '../client/postgres';
import type { Database } from '../client/types';
import { locateMigrationsDir, migrate, migrationsHash } from '../migrate';
import { truncateAll } from './reset';
import type { TestDatabase } from './types';

const TEST_PREFIX = 'af_test_';
const TEMPLATE_PREFIX = 'af_tpl_';
// Test databases left behind by crashed runs are dropped once they are this old.
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

type Sql = ReturnType<typeof postgres>;

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function adminClient(url: string): Sql {
  return postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'agentflow-test-admin' },
  });
}

/** Names sort by creation time, so stale ones can be recognised without a catalog of our own. */
function testDatabaseName(): string {
  return `${TEST_PREFIX}${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
}

/** Before any database this code made: a stamp below it is not ours (parseInt reads "e2e" as 2690). */
const EARLIEST_STAMP_MS = Date.UTC(2025, 0, 1);

export function testDatabaseCreatedAt(name: string): number | undefined {
  const stamp = name.slice(TEST_PREFIX.length).split('_')[0] ?? '';
  // Only a name made by testDatabaseName() is reaped: a base-36 millisecond stamp of this era.
  if (!/^[0-9a-z]{8,9}$/.test(stamp)) return undefined;
  const ms = Number.parseInt(stamp, 36);
  return ms >= EARLIEST_STAMP_MS ? ms : undefined;
}

let template: Promise<string> | undefined;

/**
 * Ensures `af_tpl_<hash of migrations>` exists and is fully migrated. Several test processes may
 * race here: an advisory lock serialises them, and the template is built under a scratch name and
 * renamed only once migrated, so a crash never leaves a half-migrated template behind.
 */
async function ensureTemplate(url: string): Promise<string> {
  const dir = locateMigrationsDir();
  const name = `${TEMPLATE_PREFIX}${migrationsHash(dir)}`;
  const sql = adminClient(url);
  try {
    await sql`select pg_advisory_lock(hashtext(${name}))`;
    try {
      const [existing] = await sql`select 1 from pg_database where datname = ${name}`;
      if (!existing) await buildTemplate(sql, url, name, dir);
      await dropStaleTestDatabases(sql);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return name;
}

async function buildTemplate(sql: Sql, url: string, name: string, dir: string): Promise<void> {
  // Leftovers from a crashed builder of this same template: we hold the lock, so they are dead.
  const leftovers = await sql`select datname from pg_database where datname like ${`${name}_build_%`}`;
  for (const { datname } of leftovers) await sql`drop database if exists ${sql(datname)} with (force)`;

  const scratch = `${name}_build_${randomBytes(4).toString('hex')}`;
  await sql`create database ${sql(scratch)}`;
  const database = createPostgresDb(withDatabase(url, scratch), { maxConnections: 1 });
  try {
    await migrate(database, { migrationsDir: dir });
  } finally {
    await database.close();
  }
  await sql`alter database ${sql(scratch)} rename to ${sql(name)}`;
  await sql`alter database ${sql(name)} with is_template true`;
  await dropOtherTemplates(sql, name);
}

/**
 * Templates of older migration sets would pile up while the schema is iterated on. Drop them
 * best-effort: one still in use elsewhere fails to drop and stays; a process whose template
 * vanished rebuilds it (see cloneTemplate).
 */
async function dropOtherTemplates(sql: Sql, keep: string): Promise<void> {
  const rows = await sql`
    select datname from pg_database
    where datname like ${`${TEMPLATE_PREFIX}%`} and datname <> ${keep} and datname not like '%\_build\_%'`;
  for (const { datname } of rows) {
    try {
      await sql`alter database ${sql(datname)} with is_template false`;
      await sql`drop database if exists ${sql(datname)}`;
    } catch {
      // In use by another test run right now: leave it for a later build to collect.
    }
  }
}

async function dropStaleTestDatabases(sql: Sql): Promise<void> {
  const rows = await sql`select datname from pg_database where datname like ${`${TEST_PREFIX}%`}`;
  const cutoff = Date.now() - STALE_AFTER_MS;
  for (const { datname } of rows) {
    const at = testDatabaseCreatedAt(datname);
    if (at !== undefined && at < cutoff) {
      await sql`drop database if exists ${sql(datname)} with (force)`.catch(() => {});
    }
  }
}

function getTemplate(url: string): Promise<string> {
  template ??= ensureTemplate(url).catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

/** Builds the template now (e.g. in a vitest globalSetup) so test workers only clone it. */
export async function preparePostgresTemplate(url: string): Promise<void> {
  await getTemplate(url);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CREATE DATABASE ... TEMPLATE fails while another session is connected to the template
 * (55006, object_in_use); clones racing each other can hit it briefly, so retry with backoff.
 * A template dropped under us (3D000) is rebuilt.
 */
async function cloneTemplate(url: string, name: string): Promise<void> {
  const sql = adminClient(url);
  try {
    for (let attempt = 0; ; attempt++) {
      const tpl = await getTemplate(url);
      try {
        await sql`create database ${sql(name)} template ${sql(tpl)}`;
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 20 || (code !== '55006' && code !== '3D000')) throw error;
        if (code === '3D000') template = undefined;
        await sleep(50 + attempt * 50);
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function createEmpty(url: string, name: string): Promise<void> {
  const sql = adminClient(url);
  try {
    // template0: guaranteed pristine even if someone installed extensions into template1.
    await sql`create database ${sql(name)} template template0`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function createPostgresTestDatabase(url: string, migrated: boolean): Promise<TestDatabase> {
  const name = testDatabaseName();
  if (migrated) await cloneTemplate(url, name);
  else await createEmpty(url, name);
  const databaseUrl = withDatabase(url, name);
  const database = createPostgresDb(databaseUrl, { maxConnections: 5 });
  const others: Database[] = [];
  let cleaned = false;
  return Object.assign(database, {
    name,
    reset: () => truncateAll(database),
    connectAs(role: string) {
      const other = createPostgresDb(databaseUrl, { maxConnections: 5, role });
      others.push(other);
      return other;
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await Promise.all([database, ...others].map((d) => d.close()));
      const sql = adminClient(url);
      try {
        await sql`drop database if exists ${sql(name)} with (force)`;
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  });
}
