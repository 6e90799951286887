import { isAbortError } from '../errors';
import { LlmError, shouldFallBack } from './errors';
import type { ChatResponse, EmbedResponse, LlmProvider, LlmRouter } from './types';

export interface RouterOptions {
  providers: LlmProvider[];
  /** Provider names tried in order when the chosen one fails (not on bad requests or aborts). */
  fallbackOrder?: string[];
  /**
   * Model references that are not provider model ids (org models from the models service, aliases):
   * `{ 'org-model-uuid': { provider: 'openai', model: 'gpt-4o' } }`.
   */
  models?: Record<string, { provider: string; model: string }>;
  /** The model of nodes that name none; otherwise the first real provider's default model. */
  defaultModel?: string;
}

/**
 * Routes a model reference to its provider (seed 004 §5.2), with a fallback order. The offline echo
 * provider is never a silent substitute: it is the default only when it is the only provider, and it
 * is skipped as a fallback for a request that targeted a real model.
 */
export function createLlmRouter(opts: RouterOptions): LlmRouter {
  const byName = new Map(opts.providers.map((p) => [p.name, p]));

  const resolve = (ref: string): { provider: LlmProvider; model: string } => {
    const mapped = opts.models?.[ref];
    if (mapped) {
      const provider = byName.get(mapped.provider);
      if (!provider)
        throw new LlmError('no_provider', mapped.provider, `provider for model "${ref}" is not configured`);
      return { provider, model: mapped.model };
    }
    const provider = opts.providers.find((p) => p.supports(ref));
    if (!provider)
      throw new LlmError('no_provider', 'router', `no configured provider serves model "${ref}"`);
    return { provider, model: ref };
  };

  const defaultModel = (): string => {
    if (opts.defaultModel) return opts.defaultModel;
    const provider = opts.providers.find((p) => !p.offline) ?? opts.providers[0];
    if (!provider) throw new LlmError('no_provider', 'router', 'no LLM provider is configured');
    return provider.defaultModel;
  };

  async function withFallback<T>(
    ref: string,
    call: (provider: LlmProvider, model: string) => Promise<T>,
  ): Promise<T> {
    const primary = resolve(ref);
    try {
      return await call(primary.provider, primary.model);
    } catch (err) {
      if (isAbortError(err) || !shouldFallBack(err)) throw err;
      const failures = [`${primary.provider.name}: ${(err as Error).message}`];
      for (const name of opts.fallbackOrder ?? []) {
        const provider = byName.get(name);
        if (!provider || provider === primary.provider) continue;
        if (provider.offline && !primary.provider.offline) continue;
        try {
          return await call(provider, provider.defaultModel);
        } catch (fallbackErr) {
          if (isAbortError(fallbackErr)) throw fallbackErr;
          failures.push(`${provider.name}: ${(fallbackErr as Error).message}`);
        }
      }
      if (failures.length === 1) throw err;
      const primaryErr = err as LlmError;
      throw new LlmError(primaryErr.kind, 'router', `all providers failed (${failures.join('; ')})`, {
        cause: err,
        ...(primaryErr.retryAfterMs === undefined ? {} : { retryAfterMs: primaryErr.retryAfterMs }),
      });
    }
  }

  return {
    defaultModel,
    chat(req): Promise<ChatResponse> {
      return withFallback(req.model ?? defaultModel(), (provider, model) => provider.chat({ ...req, model }));
    },
    embed(req): Promise<EmbedResponse> {
      return withFallback(req.model ?? defaultModel(), (provider, model) =>
        provider.embed({ ...req, model }),
      );
    },
    estimateCost(model, inputTokens, outputTokens) {
      const { provider, model: id } = resolve(model);
      return provider.estimateCost(id, inputTokens, outputTokens);
    },
  };
}
