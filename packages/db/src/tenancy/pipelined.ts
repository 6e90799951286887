import { is, type SQL } from 'drizzle-orm';
import { PgDialect, PgTransaction } from 'drizzle-orm/pg-core';
import { rowsOf } from '../client/rows';
import type { Db } from '../client/types';
import { assertUuid, ORG_SETTING, withOrg } from './index';

/** The part of a postgres.js `Sql` this needs (drizzle's postgres-js database keeps it as `$client`). */
interface ReservableClient {
  reserve(): Promise<ReservedClient>;
}
interface ReservedClient {
  unsafe(query: string, params?: unknown[], options?: { prepare?: boolean }): PendingQuery;
  release(): void;
}
type PendingQuery = Promise<unknown[] & { command?: string }> & { execute(): PendingQuery };

const dialect = new PgDialect();
/**
 * Named and kept per connection. An unnamed statement with parameters (postgres.js `unsafe`'s
 * default, and so every drizzle query) is sent as parse + describe, then waits for the server's
 * answer before it can bind: a round trip of its own that would stall the pipeline each time.
 */
const prepared = { prepare: true };

function reservable(db: Db): ReservableClient | undefined {
  if (is(db, PgTransaction)) return undefined;
  const client = (db as { $client?: unknown }).$client as Partial<ReservableClient> | undefined;
  return typeof client?.reserve === 'function' ? (client as ReservableClient) : undefined;
}

/**
 * Runs ONE statement in its own transaction scoped to `orgId` (as `withOrg` does) and returns its
 * rows. On postgres.js it costs one round trip: BEGIN, the tenant `set_config`, the statement and
 * COMMIT are sent together (pipelined) on a reserved connection, where `withOrg` through drizzle's
 * `transaction()` waits for BEGIN and for the statement before sending COMMIT (three round trips).
 * For a write path that commits per step (the execution recorder, ADR 0008), those waits were most
 * of a transaction's latency.
 *
 * Atomic like `withOrg`: the server runs them in order, so if `set_config` or the statement fails,
 * the transaction is aborted, the COMMIT behind it rolls back, and this rejects with that error.
 * A statement that must fail on a condition checks it in SQL (COMMIT is already on its way when
 * the rows arrive). PGlite (one session, no pipelining) and a call inside a transaction use
 * `withOrg` with `tx.execute`: same outcome.
 *
 * The statements are prepared on a connection the first time they run there: that first run waits
 * once for the server's describe, so statements with a bounded set of shapes (the recorder's batch
 * has a few dozen) are one round trip after.
 */
export async function executeInOrg<T = Record<string, unknown>>(
  db: Db,
  orgId: string,
  statement: SQL,
): Promise<T[]> {
  const client = reservable(db);
  if (!client) return withOrg(db, orgId, async (tx) => rowsOf<T>(await tx.execute(statement)));
  assertUuid(orgId, 'executeInOrg: orgId');
  const { sql: text, params } = dialect.sqlToQuery(statement);
  const reserved = await client.reserve();
  try {
    // postgres.js queries are lazy: execute() sends each one now, in this order, on this connection.
    const queries = [
      reserved.unsafe('begin').execute(),
      reserved.unsafe('select set_config($1, $2, true)', [ORG_SETTING, orgId], prepared).execute(),
      reserved.unsafe(text, params, prepared).execute(),
      reserved.unsafe('commit').execute(),
    ];
    const settled = await Promise.allSettled(queries);
    const main = settled[2];
    const commit = settled[3];
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed?.status === 'rejected') {
      // Normally the COMMIT already ended the transaction (as a rollback); should the connection
      // still be in one, it must not go back to the pool that way.
      await reserved
        .unsafe('rollback')
        .execute()
        .catch(() => {});
      throw failed.reason;
    }
    if (commit?.status === 'fulfilled' && commit.value.command !== 'COMMIT') {
      throw new Error(`executeInOrg: the transaction ended with ${commit.value.command}, not COMMIT`);
    }
    return main?.status === 'fulfilled' ? (main.value as unknown as T[]) : [];
  } finally {
    reserved.release();
  }
}
