import { type Db, withOrg } from '@agentflow/db';
import type { Keyring } from './secrets/keyring';

/** Who is acting: a signed-in user, an org API key, or the system itself (workers, schedulers). */
export type Actor =
  | { type: 'user'; userId: string }
  | { type: 'api_key'; apiKeyId: string }
  | { type: 'system'; reason: string };

/**
 * Every service function takes this. `orgId` comes from the verified token or API key, never from the
 * URL or body; services filter every tenant query by it (and RLS enforces it again in Postgres).
 */
export interface ServiceContext {
  db: Db;
  orgId: string;
  actor: Actor;
  /** Propagated into audit rows and logs. */
  requestId?: string;
  ip?: string;
  userAgent?: string;
  /**
   * The vault keyring, for work that seals a secret inside a larger transaction it does not own (the
   * webhook endpoint created when an agent is published). The API sets it on every request context.
   */
  keyring?: Keyring | undefined;
}

/**
 * Runs `fn` in one transaction scoped to the context's org: every query inside sees and writes only
 * that org's rows (Postgres RLS), on top of the service's own `org_id` filter. Use the `tx` argument,
 * never `ctx.db`, inside: `ctx.db` runs outside the org context (no rows on Postgres; an error on
 * PGlite, whose single session would otherwise deadlock).
 */
export function inOrg<T>(ctx: Pick<ServiceContext, 'db' | 'orgId'>, fn: (tx: Db) => Promise<T>): Promise<T> {
  return withOrg(ctx.db, ctx.orgId, fn);
}
