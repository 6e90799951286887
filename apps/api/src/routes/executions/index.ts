import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { executionReadRoutes } from './read';
import { type ExecutionStartRoutesOptions, executionStartRoutes } from './start';

export type ExecutionRoutesOptions = ExecutionStartRoutesOptions;

/** Starting executions and reading them (issue 5), under /api/v1. */
export const executionRoutes: FastifyPluginAsyncZod<ExecutionRoutesOptions> = async (app, options) => {
  await app.register(executionStartRoutes, options);
  await app.register(executionReadRoutes);
};
