import { is, type SQL, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { SYSTEM_ROLE } from '../client/roles';
import { rowsOf } from '../client/rows';
import type { Db } from '../client/types';

/**
 * The per-transaction tenant context that row-level security reads (ADR 0005, migration `rls`).
 * Every helper runs `fn` in one transaction whose first statement sets the context with
 * `set_config(..., is_local => true)`, so it ends with the transaction and never leaks to the next
 * user of a pooled connection.
 */

/** Read by the RLS policies: `nullif(current_setting('app.org_id', true), '')::uuid`. */
export const ORG_SETTING = 'app.org_id';
/** Lets a user see their own row, memberships and orgs across orgs (e.g. /auth/me). */
export const USER_SETTING = 'app.user_id';
/** Not read by policies: recorded so a system transaction says why it exists (visible in pg_stat_activity / logs). */
export const SYSTEM_REASON_SETTING = 'app.system_reason';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shared with `executeInOrg` (pipelined.ts), which sets the same tenant setting without `withOrg`. */
export function assertUuid(value: string, what: string): void {
  // A malformed id would reach the policies' ::uuid cast and fail every query with a 500; an empty one
  // would silently mean "no tenant". Both are caller bugs: fail here, loudly.
  if (!UUID.test(value)) throw new TypeError(`${what} must be a uuid`);
}

/** Runs `fn` with RLS scoped to `orgId`: it sees and may write only that org's rows. */
export async function withOrg<T>(db: Db, orgId: string, fn: (tx: Db) => Promise<T>): Promise<T> {
  assertUuid(orgId, 'withOrg: orgId');
  return scoped(db, { [ORG_SETTING]: orgId }, fn);
}

/**
 * Runs `fn` as a signed-in user outside any org: their own `users` row, their `org_memberships` in every
 * org and those `organizations`; no other tenant data. Pass `orgId` too to add that org's rows.
 */
export async function withUser<T>(
  db: Db,
  userId: string,
  fn: (tx: Db) => Promise<T>,
  options: { orgId?: string | undefined } = {},
): Promise<T> {
  assertUuid(userId, 'withUser: userId');
  const settings: Record<string, string> = { [USER_SETTING]: userId };
  if (options.orgId !== undefined) {
    assertUuid(options.orgId, 'withUser: orgId');
    settings[ORG_SETTING] = options.orgId;
  }
  return scoped(db, settings, fn);
}

/**
 * Runs `fn` as `agentflow_system`, which bypasses RLS. Only for lookups that cannot know the org yet
 * (login by email, API key by hash, invitation by token, webhook by hook id, a worker loading its job).
 * `reason` is required so every use is explicit and greppable; keep the work inside minimal.
 */
export async function asSystem<T>(db: Db, reason: string, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (!reason.trim()) throw new TypeError('asSystem: a reason is required');
  return scoped(db, { role: SYSTEM_ROLE, [SYSTEM_REASON_SETTING]: reason }, fn);
}

async function scoped<T>(db: Db, settings: Record<string, string>, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (!is(db, PgTransaction)) {
    return db.transaction(async (tx) => {
      // Sent, not awaited: the driver pipelines it with fn's first query on the transaction's
      // connection, where the server runs it first (one round trip less per transaction). Should
      // it fail, fn's queries ran without a tenant (RLS shows and accepts nothing) and the
      // transaction rolls back with this error.
      const applied = tx.execute(setConfig(settings)).then(() => undefined);
      try {
        const result = await fn(tx);
        await applied;
        return result;
      } catch (error) {
        await applied;
        throw error;
      }
    });
  }
  // Nested in a transaction: drizzle opens a savepoint, but a SET LOCAL made inside one survives
  // RELEASE SAVEPOINT, so without restoring, an inner asSystem would leave the rest of the outer
  // transaction running with RLS bypassed. (On error the rollback to the savepoint undoes it.)
  return db.transaction(async (tx) => {
    const previous = await currentSettings(tx, Object.keys(settings));
    await tx.execute(setConfig(settings));
    const result = await fn(tx);
    await tx.execute(setConfig(previous));
    return result;
  });
}

function setConfig(settings: Record<string, string>): SQL {
  const calls = Object.entries(settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  return sql`select ${sql.join(calls, sql`, `)}`;
}

async function currentSettings(tx: Db, names: string[]): Promise<Record<string, string>> {
  const reads = names.map(
    (name, i) => sql`coalesce(current_setting(${name}, true), '') as ${sql.raw(`s${i}`)}`,
  );
  const [row] = rowsOf<Record<string, string>>(await tx.execute(sql`select ${sql.join(reads, sql`, `)}`));
  return Object.fromEntries(names.map((name, i) => [name, row?.[`s${i}`] ?? '']));
}

export { executeInOrg } from './pipelined';
