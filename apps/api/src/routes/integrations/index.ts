import {
  availableIntegrationSchema,
  createIntegrationBodySchema,
  integrationParamsSchema,
  integrationSchema,
  pageSchema,
  paginationQuerySchema,
} from '@agentflow/contracts';
import {
  createIntegration,
  deleteIntegration,
  integrationCatalog,
  listIntegrations,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from '../org/openapi';

/**
 * Integration credentials (seed 004 "Integration Endpoints"), credential-based providers only: the
 * OAuth connect flow (`POST /integrations/:provider/connect`) is not implemented. Listing needs
 * membership (`integrations:view`), changing needs `integrations:manage` (owner/admin); neither is
 * open to API keys. Credentials go in once and only a masked hint comes back.
 */
export const integrationRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['integrations'];
  const security = userOnlySecurity;

  app.get(
    '/integrations/available',
    {
      onRequest: authorize('integrations:view'),
      schema: {
        tags,
        summary: 'Providers credentials can be stored for',
        security,
        response: { 200: z.object({ data: z.array(availableIntegrationSchema) }) },
      },
    },
    async () => ({ data: integrationCatalog }),
  );

  app.get(
    '/integrations',
    {
      onRequest: authorize('integrations:view'),
      schema: {
        tags,
        summary: "The org's integrations (masked hints only)",
        security,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema(integrationSchema) },
      },
    },
    async (request) => listIntegrations(serviceContext(request), request.query),
  );

  app.post(
    '/integrations',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Store credentials (validated per provider, encrypted with the org key)',
        security,
        body: createIntegrationBodySchema,
        response: { 201: integrationSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createIntegration(serviceContext(request), app.keyring, request.body)),
  );

  app.delete(
    '/integrations/:id',
    {
      onRequest: authorize('integrations:manage'),
      schema: {
        tags,
        summary: 'Disconnect (delete the credentials)',
        security,
        params: integrationParamsSchema,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      await deleteIntegration(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
