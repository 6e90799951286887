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
  /**
   * The embeddings model of requests that name none (a model reference, like `defaultModel`);
   * otherwise the first real provider's `defaultEmbeddingModel`.
   */
  defaultEmbeddingModel?: string;
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

  const defaultEmbeddingModel = (): string => {
    if (opts.defaultEmbeddingModel) return opts.defaultEmbeddingModel;
    // Echo's bag-of-words vectors only when no real provider is configured at all: an org with
    // real models but no embeddings model gets an error, not fake vectors in its knowledge bases.
    const real = opts.providers.filter((p) => !p.offline);
    const model = (real.length ? real : opts.providers).find(
      (p) => p.defaultEmbeddingModel,
    )?.defaultEmbeddingModel;
    if (!model) {
      throw new LlmError(
        'no_provider',
        'router',
        'no embeddings model is configured (add one, or set the default embeddings model)',
      );
    }
    return model;
  };

  async function withFallback<T>(
    ref: string,
    call: (provider: LlmProvider, model: string, restarted: boolean) => Promise<T>,
  ): Promise<T> {
    const primary = resolve(ref);
    try {
      return await call(primary.provider, primary.model, false);
    } catch (err) {
      if (isAbortError(err) || !shouldFallBack(err)) throw err;
      const failures = [`${primary.provider.name}: ${(err as Error).message}`];
      for (const name of opts.fallbackOrder ?? []) {
        const provider = byName.get(name);
        if (!provider || provider === primary.provider) continue;
        if (provider.offline && !primary.provider.offline) continue;
        try {
          return await call(provider, provider.defaultModel, true);
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
    defaultEmbeddingModel,
    chat(req): Promise<ChatResponse> {
      const { onToken, onRestart } = req;
      if (!onToken) {
        return withFallback(req.model ?? defaultModel(), (provider, model) =>
          provider.chat({ ...req, model }),
        );
      }
      // Counts what the current attempt streamed, so a fallback only asks for a restart when the
      // consumer has partial text to drop.
      let streamed = false;
      const counting = (chunk: string) => {
        streamed = true;
        onToken(chunk);
      };
      return withFallback(req.model ?? defaultModel(), (provider, model, restarted) => {
        if (restarted && streamed) onRestart?.();
        streamed = false;
        return provider.chat({ ...req, model, onToken: counting });
      });
    },
    async embed(req): Promise<EmbedResponse> {
      // No fallback, ever: vectors of different models live in different spaces (even at the same
      // dimension), so a fallback's vectors would be silently incomparable with the ones already
      // stored for a knowledge base. A failed embedding fails; the caller retries the same model.
      const { provider, model } = resolve(req.model ?? defaultEmbeddingModel());
      return provider.embed({ ...req, model });
    },
    estimateCost(model, inputTokens, outputTokens) {
      const { provider, model: id } = resolve(model);
      return provider.estimateCost(id, inputTokens, outputTokens);
    },
  };
}
