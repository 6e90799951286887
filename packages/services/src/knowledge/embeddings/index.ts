import { AppError } from '@agentflow/contracts';
import { llmModels } from '@agentflow/db/schema';
import { and, asc, eq } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../../context';
import { type EndpointPolicy, effectiveEndpoint, guardedFetch } from '../../models/endpoint';
import { openModelKey } from '../../models/keys';
import { visibleToOrg } from '../../models/rows';
import type { Keyring } from '../../secrets';
import { createLocalEmbedder, DEFAULT_LOCAL_EMBEDDING_MODEL } from './local';
import { createOpenAiEmbedder } from './openai';
import type { RetryOptions } from './retry';
import { EMBEDDING_DIMENSIONS, type Embedder, EmbeddingError } from './types';

export { createLocalEmbedder, DEFAULT_LOCAL_EMBEDDING_MODEL, localHashEmbedding } from './local';
export { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai';
export type { RetryOptions } from './retry';
export { EMBEDDING_DIMENSIONS, type Embedder, EmbeddingError } from './types';

/** Prefix of models served by an org's OpenAI-compatible model (Ollama, vLLM ...): `openai-compatible:<model>`. */
export const OPENAI_COMPATIBLE_PREFIX = 'openai-compatible:';

/** A provider connection given directly (tests, bench): skips the org's model lookup. */
export interface EmbeddingConnection {
  kind: 'openai' | 'openai_compatible';
  apiKey?: string | null | undefined;
  baseUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
}

export interface EmbedderDeps extends RetryOptions {
  /**
   * The org whose models hold the provider key / endpoint (`text-embedding-*` use the org's OpenAI model
   * key, `openai-compatible:<m>` the org's Ollama / compatible model `<m>`). Not needed for the local model.
   */
  ctx?: Pick<ServiceContext, 'db' | 'orgId'> | undefined;
  /** Opens the model's sealed API key. */
  keyring?: Keyring | undefined;
  /** SSRF policy for org model endpoints (LLM_ENDPOINT_ALLOW_*). */
  endpointPolicy?: EndpointPolicy | undefined;
  /** Overrides the lookup: use this connection for a provider model. */
  connection?: EmbeddingConnection | undefined;
  /** Inputs per provider request (default 256). */
  batchSize?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * The embedder of a knowledge base's `embedding_model`:
 * - `local-hash-1536` ({@link DEFAULT_LOCAL_EMBEDDING_MODEL}): built in, offline, deterministic;
 * - `text-embedding-3-small` / `-3-large` / `ada-002`: OpenAI through the official SDK with the key of
 *   the org's OpenAI model (an org model before a global one; one whose `model_identifier` is the
 *   embedding model first). No key: `EMBEDDING_NOT_CONFIGURED` (422) on the first `embed`;
 * - `openai-compatible:<model>`: the org's `ollama` / `openai_compatible` model `<model>` (by
 *   `model_identifier` or id), its endpoint and key; vectors shorter than 1536 are zero-padded.
 *
 * Synchronous: the provider (and key) is resolved on the first `embed` call and kept. Use
 * {@link resolveEmbedder} to fail early (e.g. when a base is created).
 */
export function createEmbedder(model: string, deps: EmbedderDeps = {}): Embedder {
  if (isLocalModel(model)) return localFor(model);
  let resolved: Promise<Embedder> | undefined;
  return {
    model,
    dimensions: EMBEDDING_DIMENSIONS,
    local: false,
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      resolved ??= resolveEmbedder(model, deps);
      // A failed lookup (no key yet) must not stick: the next call looks again.
      const embedder = await resolved.catch((error: unknown) => {
        resolved = undefined;
        throw error;
      });
      return embedder.embed(texts, signal);
    },
  };
}

/** Like {@link createEmbedder}, but looks the provider up now: throws `EMBEDDING_NOT_CONFIGURED` at once. */
export async function resolveEmbedder(model: string, deps: EmbedderDeps = {}): Promise<Embedder> {
  if (isLocalModel(model)) return localFor(model);
  const compatible = model.startsWith(OPENAI_COMPATIBLE_PREFIX);
  const providerModel = compatible ? model.slice(OPENAI_COMPATIBLE_PREFIX.length) : model;
  const common = {
    model,
    providerModel,
    batchSize: deps.batchSize,
    timeoutMs: deps.timeoutMs,
    maxRetries: deps.maxRetries,
    baseDelayMs: deps.baseDelayMs,
    maxDelayMs: deps.maxDelayMs,
  };
  if (deps.connection) {
    return createOpenAiEmbedder({
      ...common,
      ...deps.connection,
      kind: compatible ? 'openai_compatible' : deps.connection.kind,
    });
  }
  if (!deps.ctx || !deps.keyring) {
    throw notConfigured(model, 'no organization context to look up its provider key');
  }
  const ctx = deps.ctx;
  const rows = await inOrg(ctx, (tx) =>
    tx
      .select({
        id: llmModels.id,
        orgId: llmModels.orgId,
        provider: llmModels.provider,
        modelIdentifier: llmModels.modelIdentifier,
        endpointUrl: llmModels.endpointUrl,
        apiKeyEncrypted: llmModels.apiKeyEncrypted,
      })
      .from(llmModels)
      .where(and(visibleToOrg(ctx.orgId), eq(llmModels.isActive, true)))
      .orderBy(asc(llmModels.createdAt), asc(llmModels.id)),
  );
  // The org's own models before the global ones (stable sort keeps creation order within each).
  rows.sort((a, b) => (a.orgId === null ? 1 : 0) - (b.orgId === null ? 1 : 0));

  let row: (typeof rows)[number] | undefined;
  let kind: 'openai' | 'openai_compatible';
  if (compatible) {
    kind = 'openai_compatible';
    const candidates = rows.filter((r) => r.provider === 'ollama' || r.provider === 'openai_compatible');
    row =
      candidates.find((r) => r.modelIdentifier === providerModel) ??
      candidates.find((r) => r.id === providerModel);
    if (!row) {
      throw notConfigured(
        model,
        `no active Ollama or OpenAI-compatible model "${providerModel}" is configured for this organization`,
      );
    }
  } else {
    kind = 'openai';
    const withKey = rows.filter((r) => r.provider === 'openai' && r.apiKeyEncrypted);
    row = withKey.find((r) => r.modelIdentifier === providerModel) ?? withKey[0];
    if (!row) {
      throw notConfigured(
        model,
        `no OpenAI API key is configured: add an OpenAI model with an API key, or use the built-in "${DEFAULT_LOCAL_EMBEDDING_MODEL}"`,
      );
    }
  }
  const apiKey = await openModelKey(ctx.db, deps.keyring, row);
  const baseUrl = effectiveEndpoint(row.provider, row.endpointUrl) ?? undefined;
  // Global models are the operator's own configuration (trusted), as for chat models.
  const guard = row.orgId !== null && deps.endpointPolicy ? guardedFetch(deps.endpointPolicy) : undefined;
  return createOpenAiEmbedder({
    ...common,
    providerModel: compatible ? row.modelIdentifier : providerModel,
    kind,
    apiKey,
    baseUrl,
    fetch: guard,
  });
}

function isLocalModel(model: string): boolean {
  return model.startsWith('local-') || model.startsWith('local:');
}

function localFor(model: string): Embedder {
  if (model !== DEFAULT_LOCAL_EMBEDDING_MODEL) {
    throw notConfigured(model, `the only built-in model is "${DEFAULT_LOCAL_EMBEDDING_MODEL}"`);
  }
  return createLocalEmbedder(model);
}

function notConfigured(model: string, why: string): AppError {
  return new AppError('EMBEDDING_NOT_CONFIGURED', `Embedding model "${model}" cannot be used: ${why}.`, {
    embedding_model: model,
  });
}

/** Whether an embedding failure is worth retrying later (provider trouble, not configuration). */
export function isRetryableEmbeddingError(error: unknown): boolean {
  return error instanceof EmbeddingError && error.retryable;
}
