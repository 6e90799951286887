import {
  agentParamsSchema,
  agentVersionParamsSchema,
  agentVersionSchema,
  agentVersionSummarySchema,
  pageSchema,
  paginationQuerySchema,
  publishAgentBodySchema,
  rollbackAgentBodySchema,
  versionDiffQuerySchema,
  versionDiffSchema,
} from '@agentflow/contracts';
import {
  diffAgentVersions,
  getAgentVersion,
  listAgentVersions,
  publishAgent,
  rollbackAgent,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, serviceContext } from '../../auth';
import { userSecurity } from '../org/openapi';

/** Publishing freezes the draft into an immutable, numbered version; rollback republishes an old one. */
export const agentVersionRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['agent versions'];
  const security = userSecurity;

  app.post(
    '/agents/:id/publish',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: 'Publish the draft (or the given definition) as version n+1',
        description:
          'An invalid definition is a 422 VALIDATION_ERROR whose `details.problems` lists every validator ' +
          'problem with its node_id / edge_id. A given definition also becomes the draft.',
        security,
        params: agentParamsSchema,
        body: publishAgentBodySchema,
        response: { 201: agentVersionSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await publishAgent(serviceContext(request), request.params.id, request.body)),
  );

  app.post(
    '/agents/:id/rollback',
    {
      onRequest: authorize('agents:edit'),
      schema: {
        tags,
        summary: "Publish an old version's definition as version n+1 (the draft is left as is)",
        security,
        params: agentParamsSchema,
        body: rollbackAgentBodySchema,
        response: { 201: agentVersionSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await rollbackAgent(serviceContext(request), request.params.id, request.body)),
  );

  app.get(
    '/agents/:id/versions',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'List versions, newest first',
        security,
        params: agentParamsSchema,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema(agentVersionSummarySchema) },
      },
    },
    async (request) => listAgentVersions(serviceContext(request), request.params.id, request.query),
  );

  // Static segment: find-my-way matches it before the `:n` route below.
  app.get(
    '/agents/:id/versions/diff',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'Nodes and edges added, removed and changed between two versions',
        security,
        params: agentParamsSchema,
        querystring: versionDiffQuerySchema,
        response: { 200: versionDiffSchema },
      },
    },
    async (request) => diffAgentVersions(serviceContext(request), request.params.id, request.query),
  );

  app.get(
    '/agents/:id/versions/:n',
    {
      onRequest: authorize('agents:view'),
      schema: {
        tags,
        summary: 'One version with its frozen definition',
        security,
        params: agentVersionParamsSchema,
        response: { 200: agentVersionSchema },
      },
    },
    async (request) => getAgentVersion(serviceContext(request), request.params.id, request.params.n),
  );
};
