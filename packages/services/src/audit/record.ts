import { isIP } from 'node:net';
import type { Db } from '@agentflow/db';
import { auditLogs } from '@agentflow/db/schema';
import type { Actor, ServiceContext } from '../context';

export interface AuditEntry {
  /** `<resource>.<verb>`, e.g. `member.role_changed`, `api_key.created`. */
  action: string;
  resourceType: string;
  resourceId?: string | null | undefined;
  /** What changed. Never secrets: the audit log is readable by every admin. */
  details?: Record<string, unknown> | undefined;
}

/**
 * Writes one audit row with the caller's transaction, so the trail and the change commit or roll back
 * together. The actor goes into user_id / api_key_id (for filtering) and into details (a system actor
 * has no column; its reason is kept there).
 */
export async function recordAudit(tx: Db, ctx: ServiceContext, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLogs).values({
    orgId: ctx.orgId,
    userId: ctx.actor.type === 'user' ? ctx.actor.userId : null,
    apiKeyId: ctx.actor.type === 'api_key' ? ctx.actor.apiKeyId : null,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    details: { ...entry.details, actor: actorDetails(ctx.actor) },
    // inet rejects anything but an address; an odd value must not fail the mutation it describes.
    ipAddress: ctx.ip && isIP(ctx.ip) ? ctx.ip : null,
    userAgent: ctx.userAgent ? ctx.userAgent.slice(0, 1000) : null,
    requestId: ctx.requestId ? ctx.requestId.slice(0, 100) : null,
  });
}

function actorDetails(actor: Actor): Record<string, string> {
  switch (actor.type) {
    case 'user':
      return { type: 'user', user_id: actor.userId };
    case 'api_key':
      return { type: 'api_key', api_key_id: actor.apiKeyId };
    case 'system':
      return { type: 'system', reason: actor.reason };
  }
}
