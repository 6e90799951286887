import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateModelBody,
  type Model,
  type ModelListQuery,
  type Page,
  type UpdateModelBody,
} from '@agentflow/contracts';
import { asSystem, type Db, isUniqueViolation } from '@agentflow/db';
import { llmModels } from '@agentflow/db/schema';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { afterCursor, cursorTimestamp, recordAudit, toPage } from '../audit';
import { inOrg, type ServiceContext } from '../context';
import { envelopeKeyVersion, type Keyring, maskSecret } from '../secrets';
import { assertInstanceAdmin } from './admin';
import { assertEndpointAllowed, type EndpointPolicy } from './endpoint';
import { sealModelKey } from './keys';
import { getVisibleModel, type ModelRow, modelColumns, toModel, visibleToOrg } from './rows';
import { assertEndpointPresent, assertKeyResupplied } from './validate';

export interface ModelWriteOptions {
  /** SSRF policy for org model endpoints (see endpoint.ts); default: nothing internal allowed. */
  endpointPolicy?: EndpointPolicy | undefined;
}

/** The org's models and the global ones, newest first; `scope` narrows to one kind. */
export async function listModels(ctx: ServiceContext, query: ModelListQuery): Promise<Page<Model>> {
  const scope =
    query.scope === 'org'
      ? eq(llmModels.orgId, ctx.orgId)
      : query.scope === 'global'
        ? isNull(llmModels.orgId)
        : visibleToOrg(ctx.orgId);
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({ ...modelColumns, cursorAt: cursorTimestamp(llmModels.createdAt) })
      .from(llmModels)
      .where(and(scope, afterCursor(llmModels.createdAt, llmModels.id, query.cursor)))
      .orderBy(desc(llmModels.createdAt), desc(llmModels.id))
      .limit(query.limit + 1),
  );
  const page = toPage(rows, query.limit);
  return { data: page.rows.map(toModel), next_cursor: page.nextCursor };
}

export async function getModel(ctx: ServiceContext, id: string): Promise<Model> {
  return toModel(await inOrg(ctx, (tx) => getVisibleModel(tx, ctx, id)));
}

/**
 * Org models are written in the org's transaction (RLS); global ones asSystem after checking the
 * caller is an instance admin. The key is sealed with the row's id before the insert (the purpose binds
 * it to the row), and only its hint is stored in clear.
 */
export async function createModel(
  ctx: ServiceContext,
  keyring: Keyring,
  body: CreateModelBody,
  options: ModelWriteOptions = {},
): Promise<Model> {
  const global = body.scope === 'global';
  const endpointUrl = body.endpoint_url ?? null;
  assertEndpointPresent(body.provider, endpointUrl);
  if (!global) await assertEndpointAllowed(body.provider, endpointUrl, options.endpointPolicy ?? {});
  const id = randomUUID();
  const write = async (tx: Db): Promise<Model> => {
    if (global) await assertInstanceAdmin(tx, ctx);
    const orgId = global ? null : ctx.orgId;
    const envelope = body.api_key ? await sealModelKey(tx, keyring, orgId, id, body.api_key) : null;
    const [row] = await tx
      .insert(llmModels)
      .values({
        id,
        orgId,
        createdBy: ctx.actor.type === 'user' ? ctx.actor.userId : null,
        name: body.name,
        provider: body.provider,
        modelIdentifier: body.model_identifier,
        apiKeyEncrypted: envelope,
        apiKeyHint: body.api_key ? maskSecret(body.api_key) : null,
        dataKeyVersion: envelope && !global ? envelopeKeyVersion(envelope) : null,
        endpointUrl,
        params: body.params ?? {},
        isActive: body.is_active ?? true,
      })
      .returning(modelColumns);
    await recordAudit(tx, ctx, {
      action: 'model.created',
      resourceType: 'llm_model',
      resourceId: id,
      // Never the key: only whether one was given.
      details: {
        scope: body.scope,
        name: body.name,
        provider: body.provider,
        model_identifier: body.model_identifier,
        endpoint_url: endpointUrl,
        has_api_key: Boolean(body.api_key),
      },
    });
    return toModel(row as ModelRow);
  };
  return withNameConflict(body.name, () =>
    global ? asSystem(ctx.db, 'global llm model write by an instance admin', write) : inOrg(ctx, write),
  );
}

export async function updateModel(
  ctx: ServiceContext,
  keyring: Keyring,
  id: string,
  body: UpdateModelBody,
  options: ModelWriteOptions = {},
): Promise<Model> {
  const before = await inOrg(ctx, (tx) => getVisibleModel(tx, ctx, id));
  const global = before.orgId === null;
  assertKeyResupplied({ ...before, hasApiKey: Boolean(before.hasApiKey) }, body);
  const provider = body.provider ?? before.provider;
  const endpointUrl = body.endpoint_url === undefined ? before.endpointUrl : body.endpoint_url;
  assertEndpointPresent(provider, endpointUrl);
  if (!global && (provider !== before.provider || endpointUrl !== before.endpointUrl)) {
    await assertEndpointAllowed(provider, endpointUrl, options.endpointPolicy ?? {});
  }

  const write = async (tx: Db): Promise<Model> => {
    if (global) await assertInstanceAdmin(tx, ctx);
    const patch: Partial<typeof llmModels.$inferInsert> = {};
    const changes: Record<string, unknown> = {};
    const set = <K extends keyof typeof patch>(
      key: K,
      field: string,
      from: unknown,
      to: (typeof patch)[K],
    ) => {
      if (to === undefined || JSON.stringify(to) === JSON.stringify(from)) return;
      patch[key] = to;
      changes[field] = { from, to };
    };
    set('name', 'name', before.name, body.name);
    set('provider', 'provider', before.provider, body.provider);
    set('modelIdentifier', 'model_identifier', before.modelIdentifier, body.model_identifier);
    set('endpointUrl', 'endpoint_url', before.endpointUrl, body.endpoint_url);
    set('params', 'params', before.params, body.params);
    set('isActive', 'is_active', before.isActive, body.is_active);
    if (body.api_key !== undefined) {
      const envelope = body.api_key ? await sealModelKey(tx, keyring, before.orgId, id, body.api_key) : null;
      patch.apiKeyEncrypted = envelope;
      patch.apiKeyHint = body.api_key ? maskSecret(body.api_key) : null;
      patch.dataKeyVersion = envelope && !global ? envelopeKeyVersion(envelope) : null;
      // The audit trail says that the key changed, never what it is.
      changes.api_key = body.api_key ? (before.hasApiKey ? 'replaced' : 'set') : 'removed';
    }
    if (Object.keys(patch).length === 0) return toModel(before);
    const [row] = await tx
      .update(llmModels)
      .set(patch)
      .where(and(eq(llmModels.id, id), global ? isNull(llmModels.orgId) : eq(llmModels.orgId, ctx.orgId)))
      .returning(modelColumns);
    await recordAudit(tx, ctx, {
      action: 'model.updated',
      resourceType: 'llm_model',
      resourceId: id,
      details: { scope: global ? 'global' : 'org', changes },
    });
    return toModel(row as ModelRow);
  };
  return withNameConflict(body.name, () =>
    global ? asSystem(ctx.db, 'global llm model write by an instance admin', write) : inOrg(ctx, write),
  );
}

export async function deleteModel(ctx: ServiceContext, id: string): Promise<void> {
  const before = await inOrg(ctx, (tx) => getVisibleModel(tx, ctx, id));
  const global = before.orgId === null;
  const write = async (tx: Db): Promise<void> => {
    if (global) await assertInstanceAdmin(tx, ctx);
    await tx
      .delete(llmModels)
      .where(and(eq(llmModels.id, id), global ? isNull(llmModels.orgId) : eq(llmModels.orgId, ctx.orgId)));
    await recordAudit(tx, ctx, {
      action: 'model.deleted',
      resourceType: 'llm_model',
      resourceId: id,
      details: { scope: global ? 'global' : 'org', name: before.name, provider: before.provider },
    });
  };
  await (global
    ? asSystem(ctx.db, 'global llm model delete by an instance admin', write)
    : inOrg(ctx, write));
}

async function withNameConflict<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', `A model named "${name}" already exists.`, {
        fields: [{ path: 'body.name', message: 'already exists', code: 'model_name_taken' }],
      });
    }
    throw error;
  }
}
