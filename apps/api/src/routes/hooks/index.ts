import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hookManageRoutes } from './manage';
import { type HookRoutesOptions, hookReceiveRoutes } from './receive';

export type { HookRoutesOptions } from './receive';

/** Webhook triggers (issue 5 item 8), under /api/v1: the public ingress and the agent's endpoint. */
export const webhookRoutes: FastifyPluginAsyncZod<HookRoutesOptions> = async (app, options) => {
  await app.register(hookReceiveRoutes, options);
  await app.register(hookManageRoutes);
};
