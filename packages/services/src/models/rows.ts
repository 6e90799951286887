import { AppError, type Model } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { llmModels } from '@agentflow/db/schema';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';

/**
 * Every column the service reads. `apiKeyEncrypted` is selected only where a key is opened (the router,
 * test connection) and never reaches `toModel`: the API shape is built field by field.
 */
export const modelColumns = {
  id: llmModels.id,
  orgId: llmModels.orgId,
  name: llmModels.name,
  provider: llmModels.provider,
  modelIdentifier: llmModels.modelIdentifier,
  apiKeyHint: llmModels.apiKeyHint,
  // Whether a key is stored, without reading the ciphertext into memory.
  hasApiKey: sql<boolean>`(${llmModels.apiKeyEncrypted} is not null)`,
  endpointUrl: llmModels.endpointUrl,
  params: llmModels.params,
  isActive: llmModels.isActive,
  createdAt: llmModels.createdAt,
  updatedAt: llmModels.updatedAt,
};

export interface ModelRow {
  id: string;
  orgId: string | null;
  name: string;
  provider: string;
  modelIdentifier: string;
  apiKeyHint: string | null;
  hasApiKey: boolean;
  endpointUrl: string | null;
  params: Record<string, unknown>;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The row plus its sealed key: only for code that opens the key right away. */
export interface ModelRowWithKey extends ModelRow {
  apiKeyEncrypted: string | null;
}

export function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    scope: row.orgId === null ? 'global' : 'org',
    name: row.name,
    provider: row.provider,
    model_identifier: row.modelIdentifier,
    endpoint_url: row.endpointUrl,
    params: row.params,
    is_active: row.isActive,
    has_api_key: Boolean(row.hasApiKey),
    api_key_hint: row.apiKeyHint,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The org's own models and the global ones (RLS lets an org read global rows, never write them). */
export const visibleToOrg = (orgId: string) => or(eq(llmModels.orgId, orgId), isNull(llmModels.orgId));

export function modelNotFound(id: string): AppError {
  return new AppError('MODEL_NOT_FOUND', `Model ${id} not found.`, { model_id: id });
}

/** Fetch-or-throw among the models the org can see: another org's model is MODEL_NOT_FOUND. */
export async function getVisibleModel(tx: Db, ctx: ServiceContext, id: string): Promise<ModelRowWithKey> {
  const [row] = await tx
    .select({ ...modelColumns, apiKeyEncrypted: llmModels.apiKeyEncrypted })
    .from(llmModels)
    .where(and(eq(llmModels.id, id), visibleToOrg(ctx.orgId)));
  if (!row) throw modelNotFound(id);
  return row;
}
