import { costOf, type LlmProvider, type PriceTable } from '@agentflow/engine';

/**
 * A provider whose real client is built on first use: building an org's router costs one query, and
 * a model's key is decrypted only when a request is actually routed to it (and held only by the SDK
 * client from then on). A failed build (key does not open) is not cached, so the next call retries.
 */
export function lazyProvider(
  name: string,
  model: string,
  defaults: { temperature?: number | undefined; max_tokens?: number | undefined; prices?: PriceTable },
  build: () => Promise<LlmProvider>,
): LlmProvider {
  let built: Promise<LlmProvider> | undefined;
  const get = (): Promise<LlmProvider> => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
  return {
    name,
    defaultModel: model,
    // A stored embedding model is the org's embedding default; chat-only rows offer none, so the
    // router refuses embed() without a model instead of mixing vectors of different models.
    ...(isEmbeddingModel(model) ? { defaultEmbeddingModel: model } : {}),
    supports: (id) => id === model,
    // Synchronous in the interface: the price table needs no client.
    estimateCost: (id, input, output) => costOf(id, input, output, defaults.prices),
    async chat(req) {
      // The model's stored params are defaults; a node's own settings win.
      const temperature = req.temperature ?? defaults.temperature;
      const maxTokens = req.max_tokens ?? defaults.max_tokens;
      return (await get()).chat({
        ...req,
        ...(temperature === undefined ? {} : { temperature }),
        ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      });
    },
    async embed(req) {
      return (await get()).embed(req);
    },
  };
}

/** OpenAI-style (`text-embedding-3-small`) and Ollama-style (`nomic-embed-text`) embedding model ids. */
export function isEmbeddingModel(model: string): boolean {
  return /(^|[-_/:])embed(ding)?s?([-_/:.]|$)/i.test(model);
}
