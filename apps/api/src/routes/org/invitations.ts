import {
  invitationParamsSchema,
  invitationSchema,
  inviteMemberBodySchema,
  inviteMemberResponseSchema,
  pageSchema,
  paginationQuerySchema,
} from '@agentflow/contracts';
import { inviteMember, listInvitations, type Mailer, revokeInvitation } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, serviceContext } from '../../auth';
import { userOnlySecurity } from './openapi';

export interface InvitationRoutesOptions {
  mailer: Mailer;
  appUrl: string;
}

export const invitationRoutes: FastifyPluginAsyncZod<InvitationRoutesOptions> = async (app, options) => {
  app.post(
    '/org/members/invite',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['invitations'],
        summary: 'Invite someone by email',
        description:
          'Emails a single-use link valid for 7 days. Inviting the same email again revokes the pending ' +
          'invitation. Only owners may invite owners. `email_sent: false` means delivery failed: invite again.',
        security: userOnlySecurity,
        body: inviteMemberBodySchema,
        response: { 201: inviteMemberResponseSchema },
      },
    },
    async (request, reply) => {
      const invitation = await inviteMember(serviceContext(request), request.body, {
        mailer: options.mailer,
        appUrl: options.appUrl,
        // The error may quote the SMTP dialogue but never the message body, so the token stays out.
        onMailError: (error) => request.log.error({ err: error }, 'invitation email could not be sent'),
      });
      return reply.code(201).send(invitation);
    },
  );

  app.get(
    '/org/invitations',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['invitations'],
        summary: 'Pending invitations (newest first)',
        security: userOnlySecurity,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema(invitationSchema) },
      },
    },
    async (request) => listInvitations(serviceContext(request), request.query),
  );

  app.delete(
    '/org/invitations/:id',
    {
      onRequest: authorize('members:manage'),
      schema: {
        tags: ['invitations'],
        summary: 'Revoke a pending invitation',
        security: userOnlySecurity,
        params: invitationParamsSchema,
        response: { 204: z.null().describe('Revoked') },
      },
    },
    async (request, reply) => {
      await revokeInvitation(serviceContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
