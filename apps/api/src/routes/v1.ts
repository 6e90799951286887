import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const API_PREFIX = '/api/v1';

export interface V1Options {
  /** Extra route plugins mounted inside /api/v1 after the product routes (tests use it for fixtures). */
  plugins: FastifyPluginAsyncZod[];
}

/**
 * The versioned public API. Domain route plugins (agents, executions, ...) are registered here as they
 * land; each is thin: validate with a contracts schema, call a service, shape the response.
 */
export const v1Routes: FastifyPluginAsyncZod<V1Options> = async (app, options) => {
  for (const plugin of options.plugins) {
    await app.register(plugin);
  }
};
