import { llmModels, organizations } from '@agentflow/db/schema';
import {
  createEchoProvider,
  createLlmRouter,
  type LlmProvider,
  type LlmRouter,
  type SdkLogger,
} from '@agentflow/engine';
import { and, asc, eq } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../context';
import type { Keyring } from '../secrets';
import { type EndpointPolicy, guardedFetch } from './endpoint';
import { openModelKey } from './keys';
import { lazyProvider } from './lazy-provider';
import { providerForModel } from './providers';
import { type ModelRowWithKey, modelColumns, visibleToOrg } from './rows';

/** Org setting: model ids in the order the router falls back through them (unknown ids are ignored). */
export const FALLBACK_ORDER_SETTING = 'llm_fallback_order';

export interface OrgRouterOptions {
  /**
   * When set, every request to an org model's endpoint is checked against this SSRF policy first
   * (the API and worker pass their LLM_ENDPOINT_ALLOW_* config). Endpoints were already checked when
   * they were saved; this catches a name that resolves somewhere else since.
   */
  endpointPolicy?: EndpointPolicy | undefined;
  /** Where the SDKs write their own warnings (default console). */
  logger?: SdkLogger | undefined;
}

/**
 * The org's LLM router: one provider per active model (the org's, then the global ones), each serving
 * its own `model_identifier` and reachable by its model id (`node.config.model = '<model uuid>'`), plus
 * the offline echo model, which is always there but only the default when no real model exists (the
 * engine's router skips `offline` providers for defaults and fallbacks). Default model and fallback
 * order: the org setting `llm_fallback_order` (model ids) first, then creation order, org models before
 * global ones. Keys are opened on first use of each model, not here.
 */
export async function buildOrgLlmRouter(
  ctx: ServiceContext,
  keyring: Keyring,
  options: OrgRouterOptions = {},
): Promise<LlmRouter> {
  const { rows, preferred } = await inOrg(ctx, async (tx) => {
    const models = await tx
      .select({ ...modelColumns, apiKeyEncrypted: llmModels.apiKeyEncrypted })
      .from(llmModels)
      .where(and(visibleToOrg(ctx.orgId), eq(llmModels.isActive, true)))
      .orderBy(asc(llmModels.createdAt), asc(llmModels.id));
    const [org] = await tx
      .select({ settings: organizations.settings })
      .from(organizations)
      .where(eq(organizations.id, ctx.orgId));
    return { rows: models, preferred: org?.settings?.[FALLBACK_ORDER_SETTING] };
  });

  const ordered = order(rows, Array.isArray(preferred) ? preferred.filter((v) => typeof v === 'string') : []);
  const providers: LlmProvider[] = [];
  const models: Record<string, { provider: string; model: string }> = {};
  for (const row of ordered) {
    if (row.provider === 'echo') {
      // Echo needs no provider of its own: the shared one below serves every echo model id.
      models[row.id] = { provider: 'echo', model: 'echo' };
      continue;
    }
    const name = `model:${row.id}`;
    models[row.id] = { provider: name, model: row.modelIdentifier };
    providers.push(buildLazy(ctx, keyring, row, name, options));
  }
  providers.push(createEchoProvider());
  const firstReal = ordered.find((row) => row.provider !== 'echo');
  return createLlmRouter({
    providers,
    fallbackOrder: providers.filter((p) => !p.offline).map((p) => p.name),
    models,
    ...(firstReal ? { defaultModel: firstReal.id } : {}),
  });
}

function buildLazy(
  ctx: ServiceContext,
  keyring: Keyring,
  row: ModelRowWithKey,
  name: string,
  options: OrgRouterOptions,
): LlmProvider {
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const defaults = {
    temperature: num(row.params.temperature),
    max_tokens: num(row.params.max_tokens),
    ...(row.provider === 'ollama' ? { prices: { [row.modelIdentifier]: { input: 0, output: 0 } } } : {}),
  };
  // Global endpoints are the operator's own configuration: trusted (see endpoint.ts).
  const guard =
    row.orgId !== null && options.endpointPolicy ? guardedFetch(options.endpointPolicy) : undefined;
  return lazyProvider(name, row.modelIdentifier, defaults, async () => {
    const apiKey = await openModelKey(ctx.db, keyring, row);
    return providerForModel(row, apiKey, { name, fetch: guard, logger: options.logger });
  });
}

/** Preferred ids first (in their order), then org models, then global ones, each by creation. */
function order(rows: ModelRowWithKey[], preferred: string[]): ModelRowWithKey[] {
  const rank = (row: ModelRowWithKey) => {
    const at = preferred.indexOf(row.id);
    return at >= 0 ? at : preferred.length + (row.orgId === null ? 1 : 0);
  };
  // Array.prototype.sort is stable: creation order survives within each rank.
  return [...rows].sort((a, b) => rank(a) - rank(b));
}
