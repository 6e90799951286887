import type { LlmRouter } from './types';

/**
 * A router built on first use. Building the org's router reads its models (a transaction); most
 * runs of a graph without a model node never call it, and the queued-run hot path should not pay
 * for it. `chat`/`embed` load it (once, shared by concurrent callers; a failed load is retried next
 * time). The synchronous methods need it loaded: nodes call them only after a model call.
 */
export function createLazyLlmRouter(
  load: () => Promise<LlmRouter>,
): LlmRouter & { readonly loaded: boolean } {
  let router: LlmRouter | undefined;
  let loading: Promise<LlmRouter> | undefined;
  const get = (): Promise<LlmRouter> => {
    if (router) return Promise.resolve(router);
    loading ??= load().then(
      (r) => {
        router = r;
        return r;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const loaded = (method: string): LlmRouter => {
    if (!router) throw new Error(`LlmRouter.${method}() was called before the router was loaded`);
    return router;
  };
  return {
    get loaded() {
      return router !== undefined;
    },
    chat: async (req) => (await get()).chat(req),
    embed: async (req) => (await get()).embed(req),
    estimateCost: (model, input, output) => loaded('estimateCost').estimateCost(model, input, output),
    defaultModel: () => loaded('defaultModel').defaultModel(),
    defaultEmbeddingModel: () => loaded('defaultEmbeddingModel').defaultEmbeddingModel(),
  };
}
