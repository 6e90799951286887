import {
  apiKeyParamsSchema,
  apiKeySchema,
  createApiKeyBodySchema,
  createdApiKeySchema,
  pageSchema,
  paginationQuerySchema,
} from '@agentflow/contracts';
import { createApiKey, listApiKeys, revokeApiKey } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['api-keys'];
  const security = userOnlySecurity;

  app.get(
    '/org/api-keys',
    {
      onRequest: authorize('api_keys:manage'),
      schema: {
        tags,
        summary: 'List API keys (never the secret)',
        security,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema(apiKeySchema) },
      },
    },
    async (request) => listApiKeys(serviceContext(request), request.query),
  );

  app.post(
    '/org/api-keys',
    {
      onRequest: authorize('api_keys:manage'),
      schema: {
        tags,
        summary: 'Create an API key',
        description:
          'The response carries `secret` (`af_live_...`) once; only its SHA-256 hash is stored. Send it as ' +
          '`X-API-Key`.',
        security,
        body: createApiKeyBodySchema,
        response: { 201: createdApiKeySchema },
      },
    },
    async (request, reply) => {
      // The secret must not be cached anywhere between here and the client.
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await createApiKey(serviceContext(request), request.body));
    },
  );

  app.delete(
    '/org/api-keys/:id',
    {
      onRequest: authorize('api_keys:manage'),
      schema: {
        tags,
        summary: 'Revoke an API key',
        description: 'The key stops authenticating immediately. Revoking twice is a no-op.',
        security,
        params: apiKeyParamsSchema,
        response: { 204: z.null().describe('Revoked') },
      },
    },
    async (request, reply) => {
      await revokeApiKey(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
