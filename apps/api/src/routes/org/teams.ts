import {
  addTeamMemberBodySchema,
  createTeamBodySchema,
  pageSchema,
  paginationQuerySchema,
  teamDetailSchema,
  teamMemberParamsSchema,
  teamParamsSchema,
  teamSchema,
  updateTeamBodySchema,
} from '@agentflow/contracts';
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  removeTeamMember,
  updateTeam,
} from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

// Teams group members, so reading them is like reading the member list and changing them is managing
// members (the §8.2 matrix has no separate team permission).
export const teamRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['teams'];
  const security = userOnlySecurity;

  app.get(
    '/org/teams',
    {
      onRequest: authorize('members:view'),
      schema: {
        tags,
        summary: 'List teams',
        security,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema(teamSchema) },
      },
    },
    async (request) => listTeams(serviceContext(request), request.query),
  );

  app.post(
    '/org/teams',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Create a team',
        security,
        body: createTeamBodySchema,
        response: { 201: teamSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await createTeam(serviceContext(request), request.body)),
  );

  app.get(
    '/org/teams/:id',
    {
      onRequest: authorize('members:view'),
      schema: {
        tags,
        summary: 'A team with its members',
        security,
        params: teamParamsSchema,
        response: { 200: teamDetailSchema },
      },
    },
    async (request) => getTeam(serviceContext(request), request.params.id),
  );

  app.put(
    '/org/teams/:id',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Rename or describe a team',
        security,
        params: teamParamsSchema,
        body: updateTeamBodySchema,
        response: { 200: teamSchema },
      },
    },
    async (request) => updateTeam(serviceContext(request), request.params.id, request.body),
  );

  app.delete(
    '/org/teams/:id',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Delete a team',
        security,
        params: teamParamsSchema,
        response: { 204: z.null().describe('Deleted') },
      },
    },
    async (request, reply) => {
      await deleteTeam(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/org/teams/:id/members',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Add an org member to the team',
        security,
        params: teamParamsSchema,
        body: addTeamMemberBodySchema,
        response: { 201: teamDetailSchema },
      },
    },
    async (request, reply) => {
      const ctx = serviceContext(request);
      await addTeamMember(ctx, request.params.id, request.body.user_id);
      return reply.code(201).send(await getTeam(ctx, request.params.id));
    },
  );

  app.delete(
    '/org/teams/:id/members/:userId',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags,
        summary: 'Remove a member from the team',
        security,
        params: teamMemberParamsSchema,
        response: { 204: z.null().describe('Removed') },
      },
    },
    async (request, reply) => {
      await removeTeamMember(serviceContext(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );
};
