import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type AgentRoutesOptions, agentRoutes } from './agents';
import { authRoutes } from './auth';
import { type SsoRouteOptions, ssoAuthRoutes } from './auth/sso';
import { type ExecutionRoutesOptions, executionRoutes } from './executions';
import { type HookRoutesOptions, webhookRoutes } from './hooks';
import { integrationRoutes } from './integrations';
import { type KnowledgeRoutesOptions, knowledgeRoutes } from './knowledge';
import { type ModelRoutesOptions, modelRoutes } from './models';
import { type OrgRoutesOptions, orgRoutes } from './org';

export const API_PREFIX = '/api/v1';

export interface V1Options {
  /** Extra route plugins mounted inside /api/v1 after the product routes (tests use it for fixtures). */
  plugins: FastifyPluginAsyncZod[];
  /** Mailer and web app URL for the organization routes (invitation emails). */
  org: OrgRoutesOptions;
  /** WorkOS credentials, callback URL and state-signing secret for the SSO sign-in routes. */
  sso: SsoRouteOptions;
  /** SSRF allow-list for org model endpoints. */
  models: ModelRoutesOptions;
  /** SSRF allow-lists a run uses: org model endpoints and the HTTP node. */
  agents: AgentRoutesOptions;
  /** The queue executions are enqueued on. */
  executions: ExecutionRoutesOptions;
  /** Webhook triggers: the queue, the sync-hook wait and the hook body limit. */
  hooks: HookRoutesOptions;
  /** Knowledge bases, documents and retrieval (model endpoint allow-list for query embeddings ...). */
  knowledge: KnowledgeRoutesOptions;
}

/**
 * The versioned public API. Domain route plugins (agents, executions, ...) are registered here as they
 * land; each is thin: validate with a contracts schema, call a service, shape the response.
 */
export const v1Routes: FastifyPluginAsyncZod<V1Options> = async (app, options) => {
  await app.register(authRoutes);
  await app.register(ssoAuthRoutes, options.sso);
  await app.register(orgRoutes, options.org);
  await app.register(modelRoutes, options.models);
  await app.register(integrationRoutes);
  await app.register(agentRoutes, options.agents);
  await app.register(executionRoutes, options.executions);
  await app.register(webhookRoutes, options.hooks);
  await app.register(knowledgeRoutes, options.knowledge);
  for (const plugin of options.plugins) {
    await app.register(plugin);
  }
};
