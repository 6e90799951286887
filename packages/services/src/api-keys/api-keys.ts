import {
  type ApiKey,
  type ApiKeyScope,
  AppError,
  type CreateApiKeyBody,
  type CreatedApiKey,
  type Page,
  type PaginationQuery,
} from '@agentflow/contracts';
import { apiKeys } from '@agentflow/db/schema';
import { and, desc, eq } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { apiKeyDisplayPrefix, hashApiKey, newApiKeySecret } from './secret';

// Never select key_hash: nothing outside authentication needs it.
const apiKeyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  keyPrefix: apiKeys.keyPrefix,
  scopes: apiKeys.scopes,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  createdBy: apiKeys.createdBy,
  isActive: apiKeys.isActive,
  revokedAt: apiKeys.revokedAt,
  createdAt: apiKeys.createdAt,
};
type ApiKeyRow = {
  id: string;
  name: string | null;
  keyPrefix: string;
  scopes: string[];
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  createdBy: string | null;
  isActive: boolean;
  revokedAt: Date | null;
  createdAt: Date;
};

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.keyPrefix,
    scopes: row.scopes as ApiKeyScope[],
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    created_by: row.createdBy,
    is_active: row.isActive,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}

export async function listApiKeys(ctx: ServiceContext, query: PaginationQuery): Promise<Page<ApiKey>> {
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({ ...apiKeyColumns, cursorAt: cursorTimestamp(apiKeys.createdAt) })
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, ctx.orgId), afterCursor(apiKeys.createdAt, apiKeys.id, query.cursor)))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toApiKey), next_cursor: page.nextCursor };
}

/** Creates a key and returns its secret, the only time it is ever available. */
export async function createApiKey(ctx: ServiceContext, body: CreateApiKeyBody): Promise<CreatedApiKey> {
  const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new AppError('VALIDATION_ERROR', 'expires_at must be in the future.', {
      fields: [{ path: 'body.expires_at', message: 'must be in the future', code: 'too_small' }],
    });
  }
  const scopes = [...new Set(body.scopes)];
  const secret = newApiKeySecret();
  return inOrg(ctx, async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId: ctx.orgId,
        createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
        name: body.name,
        keyHash: hashApiKey(secret),
        keyPrefix: apiKeyDisplayPrefix(secret),
        scopes,
        expiresAt,
      })
      .returning(apiKeyColumns);
    await recordAudit(tx, ctx, {
      action: 'api_key.created',
      resourceType: 'api_key',
      resourceId: row!.id,
      details: {
        name: body.name,
        prefix: row!.keyPrefix,
        scopes,
        expires_at: expiresAt?.toISOString() ?? null,
      },
    });
    return { ...toApiKey(row!), secret };
  });
}

/** Deactivates a key; it stops authenticating at once. Revoking twice is a no-op. */
export async function revokeApiKey(ctx: ServiceContext, id: string): Promise<void> {
  await inOrg(ctx, async (tx) => {
    const [row] = await tx
      .select(apiKeyColumns)
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, ctx.orgId), eq(apiKeys.id, id)))
      .for('update');
    if (!row) throw new AppError('API_KEY_NOT_FOUND', `API key ${id} not found.`, { api_key_id: id });
    if (!row.isActive) return;
    await tx
      .update(apiKeys)
      .set({ isActive: false, revokedAt: new Date() })
      .where(and(eq(apiKeys.orgId, ctx.orgId), eq(apiKeys.id, id)));
    await recordAudit(tx, ctx, {
      action: 'api_key.revoked',
      resourceType: 'api_key',
      resourceId: id,
      details: { name: row.name, prefix: row.keyPrefix },
    });
  });
}
