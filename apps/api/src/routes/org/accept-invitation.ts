import { AppError, acceptInvitationBodySchema, authSessionSchema } from '@agentflow/contracts';
import { acceptInvitation, authenticateAccessToken, type UserAuth } from '@agentflow/services';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requestMeta, startSession } from '../../auth';

/**
 * `POST /invitations/accept`: public, because a new user has no credentials yet. A signed-in user may
 * still send their access token, and must when an account already exists for the invited email.
 * Answers with a session in the invitation's org, like login.
 */
export const acceptInvitationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/invitations/accept',
    {
      config: { public: true },
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
      const user = await optionalUser(request);
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

/** The auth plugin skips public routes; here a Bearer token is optional but, when sent, must be valid. */
async function optionalUser(request: FastifyRequest): Promise<UserAuth | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([^\s]+)$/i.exec(header);
  if (!match?.[1] || match[1].length > 4096) {
    throw new AppError('AUTH_TOKEN_INVALID', 'Authorization header must be "Bearer <access token>".');
  }
  return authenticateAccessToken(request.server.authDeps, match[1]);
}
