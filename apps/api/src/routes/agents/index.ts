import type { EndpointPolicy } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { agentCrudRoutes } from './agents';
import { agentTestRoutes } from './test-run';
import { agentVersionRoutes } from './versions';

export interface AgentRoutesOptions {
  /** SSRF allow-list for org model endpoints, used by dry runs' LLM router. */
  endpointPolicy?: EndpointPolicy | undefined;
}

/** Agents, versions and dry runs (seed 004 §4.2, issue 4), under /api/v1. */
export const agentRoutes: FastifyPluginAsyncZod<AgentRoutesOptions> = async (app, options) => {
  await app.register(agentCrudRoutes);
  await app.register(agentVersionRoutes);
  await app.register(agentTestRoutes, { endpointPolicy: options.endpointPolicy });
};
