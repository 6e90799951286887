import {
  memberListQuerySchema,
  memberParamsSchema,
  memberSchema,
  pageSchema,
  updateMemberRoleBodySchema,
} from '@agentflow/contracts';
import { changeMemberRole, listMembers, removeMember } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

/** Members are addressed by user id: `/org/members/:id` with id = the member's `user_id`. */
export const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/org/members',
    {
      onRequest: authorize('members:view'),
      schema: {
        tags: ['members'],
        summary: 'List members (newest first)',
        security: userOnlySecurity,
        querystring: memberListQuerySchema,
        response: { 200: pageSchema(memberSchema) },
      },
    },
    async (request) => listMembers(serviceContext(request), request.query),
  );

  app.put(
    '/org/members/:id/role',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        description:
          'Only owners may grant the owner role or change an owner. The last owner cannot be demoted (409).',
        security: userOnlySecurity,
        params: memberParamsSchema,
        body: updateMemberRoleBodySchema,
        response: { 200: memberSchema },
      },
    },
    async (request) => changeMemberRole(serviceContext(request), request.params.id, request.body.role),
  );

  app.delete(
    '/org/members/:id',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['members'],
        summary: 'Remove a member',
        description:
          "Also removes them from the org's teams and revokes their sessions in this org. Only owners may " +
          'remove an owner; the last owner cannot be removed (409).',
        security: userOnlySecurity,
        params: memberParamsSchema,
        response: { 204: z.null().describe('Removed') },
      },
    },
    async (request, reply) => {
      await removeMember(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
