import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { executionControlRoutes } from './control';
import { executionReadRoutes } from './read';
import { type ExecutionStartRoutesOptions, executionStartRoutes } from './start';
import { type ExecutionStreamRoutesOptions, executionStreamRoutes } from './stream';

export type ExecutionRoutesOptions = ExecutionStartRoutesOptions & ExecutionStreamRoutesOptions;

/** Starting executions and reading them (issue 5), under /api/v1. */
export const executionRoutes: FastifyPluginAsyncZod<ExecutionRoutesOptions> = async (app, options) => {
  await app.register(executionStartRoutes, options);
  await app.register(executionReadRoutes);
  await app.register(executionControlRoutes, options);
  await app.register(executionStreamRoutes, options);
};
