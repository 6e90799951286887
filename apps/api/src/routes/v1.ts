import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authRoutes } from './auth';
import { type OrgRoutesOptions, orgRoutes } from './org';

export const API_PREFIX = '/api/v1';

export interface V1Options {
  /** Extra route plugins mounted inside /api/v1 after the product routes (tests use it for fixtures). */
  plugins: FastifyPluginAsyncZod[];
  /** Mailer and web app URL for the organization routes (invitation emails). */
  org: OrgRoutesOptions;
}

/**
 * The versioned public API. Domain route plugins (agents, executions, ...) are registered here as they
 * land; each is thin: validate with a contracts schema, call a service, shape the response.
 */
export const v1Routes: FastifyPluginAsyncZod<V1Options> = async (app, options) => {
  await app.register(authRoutes);
  await app.register(orgRoutes, options.org);
  for (const plugin of options.plugins) {
    await app.register(plugin);
  }
};
