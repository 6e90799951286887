import {
  acceptInvitationBodySchema,
  authSessionSchema,
  invitationPreviewBodySchema,
  invitationPreviewSchema,
} from '@agentflow/contracts';
import { acceptInvitation, previewInvitation } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestMeta, requireUser, startSession } from '../../auth';

/**
 * `POST /invitations/accept`: optional auth, because a new user has no credentials yet. A signed-in
 * user may still send their access token (checked by the auth plugin like anywhere else: a bad one is a
 * 401), and must when an account already exists for the invited email. An API key is refused (403):
 * an invitation is for a person. Answers with a session in the invitation's org, like login.
 */
export const acceptInvitationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/invitations/preview',
    {
      config: { public: true },
      schema: {
        tags: ['invitations'],
        summary: 'What an invitation link offers (org, role, whether the account exists)',
        description:
          'For the page behind the emailed link, before accepting. The token is the credential. Same ' +
          'errors as accepting: `INVITATION_NOT_FOUND` (404), `INVITATION_EXPIRED` / ' +
          '`INVITATION_ALREADY_USED` / `INVITATION_REVOKED` (410).',
        body: invitationPreviewBodySchema,
        response: { 200: invitationPreviewSchema },
      },
    },
    async (request) => {
      const preview = await previewInvitation(request.server.authDeps.db, request.body.token);
      return {
        email: preview.email,
        role: preview.role,
        organization: preview.organization,
        invited_by: preview.invitedBy,
        expires_at: preview.expiresAt.toISOString(),
        account_exists: preview.accountExists,
      };
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['invitations'],
        summary: 'Accept an invitation',
        description:
          'New account: send `token`, `password` and optionally `name`. Existing account: sign in first and ' +
          'send the access token (the account email must be the invited one). Errors: ' +
          '`INVITATION_EXPIRED` / `INVITATION_ALREADY_USED` / `INVITATION_REVOKED` (410), ' +
          '`INVITATION_NOT_FOUND` (404), `INVITATION_EMAIL_MISMATCH` (403), `AUTH_REQUIRED` (401) when ' +
          'an account exists but no token was sent. The refresh token is set as a cookie.',
        security: [{}, { bearerAuth: [] }],
        body: acceptInvitationBodySchema,
        response: { 200: authSessionSchema },
      },
    },
    async (request, reply) => {
      const user = request.auth ? requireUser(request) : undefined;
      const meta = requestMeta(request);
      const accepted = await acceptInvitation(request.server.authDeps.db, {
        token: request.body.token,
        userId: user?.userId,
        name: request.body.name,
        password: request.body.password,
        ...meta,
      });
      return startSession(request, reply, { userId: accepted.userId, orgId: accepted.orgId });
    },
  );
};
