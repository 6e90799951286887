import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';

/**
 * PGlite has a single session, so a session-level SET ROLE would also apply to every other handle on
 * the same instance (tests keep an owner handle for fixtures beside the app-role one) and to
 * migrate(). Instead each statement, or each drizzle transaction, runs in a transaction that starts
 * with SET LOCAL ROLE: the role holds exactly for that unit of work and nothing leaks out of it.
 *
 * It also turns a silent hang into an error. PGlite serialises everything behind one lock, so a query
 * on the root handle issued while a transaction on it is open (typically `ctx.db` used inside
 * `withOrg(ctx.db, ...)` instead of the `tx` argument) would wait forever. On Postgres the same
 * mistake runs outside the org context and sees no rows; here it throws and names the fix.
 */
export function roleScopedClient(client: PGlite, role: string): PGlite {
  const enterRole = `set local role ${role}`;
  const openTransaction = new AsyncLocalStorage<{ open: boolean }>();

  async function run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (openTransaction.getStore()?.open) {
      throw new Error(
        'PGlite: the root database handle was used while one of its transactions is open (this ' +
          'would deadlock); inside withOrg/asSystem/db.transaction use the transaction handle `tx`',
      );
    }
    const marker = { open: true };
    try {
      return await client.transaction((tx) =>
        openTransaction.run(marker, async () => {
          await tx.exec(enterRole);
          return work(tx);
        }),
      );
    } finally {
      marker.open = false;
    }
  }

  // Only what drizzle's PGlite session calls: query() for statements, transaction() for transactions.
  const scoped: Pick<PGlite, 'query' | 'exec' | 'transaction'> = {
    query: <T>(query: string, params?: unknown[], options?: QueryOptions) =>
      run((tx) => tx.query<T>(query, params, options)),
    exec: (query: string, options?: QueryOptions) => run((tx) => tx.exec(query, options)),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>) => run(callback),
  };
  return scoped as PGlite;
}
