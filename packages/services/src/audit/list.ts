import type { AuditLog, AuditLogQuery, Page } from '@agentflow/contracts';
import { auditLogs } from '@agentflow/db/schema';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../context';
import { afterCursor, cursorTimestamp, toPage } from './cursor';

/**
 * The org's audit trail, newest first. Every filter is an equality or range on columns of
 * `idx_audit_org_date` / `audit_logs_resource_idx`, and the order matches the former, so a page is an
 * index range scan however large the trail grows.
 */
export async function listAuditLogs(ctx: ServiceContext, query: AuditLogQuery): Promise<Page<AuditLog>> {
  const t = auditLogs;
  const conditions: (SQL | undefined)[] = [
    eq(t.orgId, ctx.orgId),
    query.action ? eq(t.action, query.action) : undefined,
    query.resource_type ? eq(t.resourceType, query.resource_type) : undefined,
    query.resource_id ? eq(t.resourceId, query.resource_id) : undefined,
    query.user_id ? eq(t.userId, query.user_id) : undefined,
    query.from ? gte(t.createdAt, new Date(query.from)) : undefined,
    query.to ? lt(t.createdAt, new Date(query.to)) : undefined,
    afterCursor(t.createdAt, t.id, query.cursor),
  ];
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({
        id: t.id,
        cursorAt: cursorTimestamp(t.createdAt),
        action: t.action,
        resourceType: t.resourceType,
        resourceId: t.resourceId,
        userId: t.userId,
        apiKeyId: t.apiKeyId,
        details: t.details,
        ipAddress: t.ipAddress,
        userAgent: t.userAgent,
        requestId: t.requestId,
        createdAt: t.createdAt,
      })
      .from(t)
      .where(and(...conditions))
      .orderBy(desc(t.createdAt), desc(t.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return {
    data: page.rows.map((row) => ({
      id: row.id,
      action: row.action,
      resource_type: row.resourceType,
      resource_id: row.resourceId,
      actor: {
        type: row.userId ? 'user' : row.apiKeyId ? 'api_key' : actorTypeOf(row.details),
        user_id: row.userId,
        api_key_id: row.apiKeyId,
      },
      details: row.details,
      ip_address: row.ipAddress,
      user_agent: row.userAgent,
      request_id: row.requestId,
      created_at: row.createdAt.toISOString(),
    })),
    next_cursor: page.nextCursor,
  };
}

// A deleted user or key leaves both columns null (SET NULL): details still say who acted.
function actorTypeOf(details: Record<string, unknown>): 'user' | 'api_key' | 'system' {
  const actor = details.actor as { type?: unknown } | undefined;
  return actor?.type === 'user' || actor?.type === 'api_key' ? actor.type : 'system';
}
