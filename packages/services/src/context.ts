import type { Db } from '@agentflow/db';

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
}
