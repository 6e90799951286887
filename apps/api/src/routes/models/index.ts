import {
  createModelBodySchema,
  modelListQuerySchema,
  modelParamsPathSchema,
  modelSchema,
  modelTestResultSchema,
  pageSchema,
  updateModelBodySchema,
} from '@agentflow/contracts';
import {
  createModel,
  deleteModel,
  type EndpointPolicy,
  getModel,
  listModels,
  testModelConnection,
  updateModel,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity, userSecurity } from '../org/openapi';

export interface ModelRoutesOptions {
  /** SSRF allow-list for org model endpoints (LLM_ENDPOINT_ALLOW_HOSTS / _CIDRS). */
  endpointPolicy: EndpointPolicy;
}

/**
 * LLM models (seed 000 §I.4): the org's and the global ones. Reading needs membership (`models:view`;
 * API keys with `agents:read`, since agents reference models); changing them or testing a connection
 * is managing integrations (`integrations:manage`: owner/admin, never an API key), and a global model
 * additionally needs an instance admin (checked by the service). No response carries a key.
 */
export const modelRoutes: FastifyPluginAsyncZod<ModelRoutesOptions> = async (app, options) => {
  const tags = ['models'];
  const write = { endpointPolicy: options.endpointPolicy };

  app.get(
    '/models',
    {
      onRequest: authorize('models:view'),
      schema: {
        tags,
        summary: "List the org's models and the global models",
        security: userSecurity,
        querystring: modelListQuerySchema,
        response: { 200: pageSchema(modelSchema) },
      },
    },
    async (request) => listModels(serviceContext(request), request.query),
  );

  app.get(
    '/models/:id',
    {
      onRequest: authorize('models:view'),
      schema: {
        tags,
        summary: 'A model',
        security: userSecurity,
        params: modelParamsPathSchema,
        response: { 200: modelSchema },
      },
    },
    async (request) => getModel(serviceContext(request), request.params.id),
  );

  app.post(
    '/models',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Add a model (scope global: instance admins only)',
        security: userOnlySecurity,
        body: createModelBodySchema,
        response: { 201: modelSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createModel(serviceContext(request), app.keyring, request.body, write)),
  );

  app.put(
    '/models/:id',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Change a model (a new provider or endpoint_url needs api_key again)',
        security: userOnlySecurity,
        params: modelParamsPathSchema,
        body: updateModelBodySchema,
        response: { 200: modelSchema },
      },
    },
    async (request) =>
      updateModel(serviceContext(request), app.keyring, request.params.id, request.body, write),
  );

  app.delete(
    '/models/:id',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Delete a model',
        security: userOnlySecurity,
        params: modelParamsPathSchema,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      await deleteModel(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/models/:id/test',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Call the provider with a one-token chat; reports ok and latency (never the key)',
        security: userOnlySecurity,
        params: modelParamsPathSchema,
        response: { 200: modelTestResultSchema },
      },
    },
    async (request) =>
      testModelConnection(serviceContext(request), app.keyring, request.params.id, {
        endpointPolicy: options.endpointPolicy,
        logger: sdkLogger(request.log),
      }),
  );
};

/** The SDKs' own warnings into the request's log (pino's signature is (obj|msg, ...)). */
function sdkLogger(log: {
  warn(msg: string): void;
  error(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}) {
  return {
    error: (message: string) => log.error(message),
    warn: (message: string) => log.warn(message),
    info: (message: string) => log.info(message),
    debug: (message: string) => log.debug(message),
  };
}
