import type { IssuedSession } from '@agentflow/services';
import type { FastifyReply } from 'fastify';

export const REFRESH_COOKIE = 'af_refresh';
/** Sent only to the auth endpoints that need it (refresh, logout, switch-org), not with every call. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

/**
 * httpOnly (scripts never see it), Secure (browsers accept it on http://localhost too), and
 * SameSite=Strict: only the web app's own same-site fetches carry it. The web app reaches the API
 * through its own origin (/api rewrite), so nothing legitimate is cross-site, and Strict also keeps
 * cross-site forms from triggering a logout or a refresh. (An SSO callback can still *set* it: the
 * attribute restricts sending, not storing.)
 */
export function setRefreshCookie(
  reply: FastifyReply,
  session: Pick<IssuedSession, 'refreshToken' | 'refreshExpiresAt'>,
) {
  return reply.setCookie(REFRESH_COOKIE, session.refreshToken, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    expires: session.refreshExpiresAt,
  });
}

export function clearRefreshCookie(reply: FastifyReply) {
  return reply.clearCookie(REFRESH_COOKIE, {
    path: REFRESH_COOKIE_PATH,
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
  });
}
