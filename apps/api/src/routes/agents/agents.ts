import {
  agentDetailSchema,
  agentListQuerySchema,
  agentParamsSchema,
  agentSchema,
  agentStatusBodySchema,
  cloneAgentBodySchema,
  createAgentBodySchema,
  pageSchema,
  updateAgentBodySchema,
} from '@agentflow/contracts';
import {
  archiveAgent,
  cloneAgent,
  createAgent,
  getAgent,
  listAgents,
  setAgentStatus,
  updateAgent,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

/** Agent CRUD, status and clone (seed 004 §4.2). Versions and dry runs are in ./versions, ./test-run. */
export const agentCrudRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['agents'];
  const security = userSecurity;

  app.get(
    '/agents',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'List agents (archived ones only with status=archived)',
        security,
        querystring: agentListQuerySchema,
        response: { 200: pageSchema(agentSchema) },
      },
    },
    async (request) => listAgents(serviceContext(request), request.query),
  );

  app.post(
    '/agents',
    {
      onRequest: authorize('agents:create'),
      schema: {
        tags,
        summary: 'Create an agent (blank, starter template, or a given definition as its draft)',
        security,
        body: createAgentBodySchema,
        response: { 201: agentDetailSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createAgent(serviceContext(request), request.body)),
  );

  app.get(
    '/agents/:id',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'An agent with its draft, the draft’s problems and the published version',
        security,
        params: agentParamsSchema,
        response: { 200: agentDetailSchema },
      },
    },
    async (request) => getAgent(serviceContext(request), request.params.id),
  );

  app.put(
    '/agents/:id',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Update metadata and/or the draft (saved even when invalid; problems returned)',
        security,
        params: agentParamsSchema,
        body: updateAgentBodySchema,
        response: { 200: agentDetailSchema },
      },
    },
    async (request) => updateAgent(serviceContext(request), request.params.id, request.body),
  );

  app.delete(
    '/agents/:id',
    {
      onRequest: authorize('agents:delete'),
      schema: {
        tags,
        summary: 'Archive an agent (status archived; versions and history kept)',
        security,
        params: agentParamsSchema,
        response: { 204: z.null().describe('Archived') },
      },
    },
    async (request, reply) => {
      await archiveAgent(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/agents/:id/status',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Activate or pause (active needs a published version: 409 AGENT_NOT_PUBLISHED)',
        security,
        params: agentParamsSchema,
        body: agentStatusBodySchema,
        response: { 200: agentSchema },
      },
    },
    async (request) => setAgentStatus(serviceContext(request), request.params.id, request.body),
  );

  app.post(
    '/agents/:id/clone',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Copy an agent (metadata and draft, no versions) as a new draft agent',
        security,
        params: agentParamsSchema,
        body: cloneAgentBodySchema.nullish(),
        response: { 201: agentDetailSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await cloneAgent(serviceContext(request), request.params.id, request.body ?? {})),
  );
};
