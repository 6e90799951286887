import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { agentCrudRoutes } from './agents';
import type { AgentRoutesOptions } from './options';
import { agentTestRoutes } from './test-run';
import { agentVersionRoutes } from './versions';

export type { AgentRoutesOptions } from './options';

/** Agents, versions and dry runs (seed 004 §4.2, issue 4), under /api/v1. */
export const agentRoutes: FastifyPluginAsyncZod<AgentRoutesOptions> = async (app, options) => {
  await app.register(agentCrudRoutes);
  await app.register(agentVersionRoutes);
  await app.register(agentTestRoutes, options);
};
