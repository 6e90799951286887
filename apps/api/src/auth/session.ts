import type { AuthSession } from '@agentflow/contracts';
import { type IssuedSession, issueSession, type RequestMeta } from '@agentflow/services';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setRefreshCookie } from './cookies';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The response body of signup, login, refresh and switch-org (the refresh token goes in the cookie). */
export function toAuthSession(session: IssuedSession): AuthSession {
  return {
    access_token: session.accessToken,
    token_type: 'Bearer',
    expires_in: session.expiresIn,
    user: {
      id: session.user.id,
      email: session.user.email,
      name: session.user.name,
      avatar_url: session.user.avatarUrl,
      created_at: session.user.createdAt.toISOString(),
    },
    organization: session.org,
    role: session.role,
  };
}

/** Sets the refresh cookie for `session` and returns the body to send. */
export function sendSession(reply: FastifyReply, session: IssuedSession): AuthSession {
  setRefreshCookie(reply, session);
  return toAuthSession(session);
}

/**
 * Signs `userId` in to `orgId` (they must be a member): tokens, cookie, audit row `action`. For the
 * SSO callback and any other flow that has already proven who the user is:
 * `return startSession(request, reply, { userId, orgId }, 'auth.sso_login')`.
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  who: { userId: string; orgId: string },
  auditAction?: string,
): Promise<AuthSession> {
  const session = await issueSession(
    request.server.authDeps,
    who,
    requestMeta(request),
    auditAction ? { action: auditAction } : undefined,
  );
  return sendSession(reply, session);
}
