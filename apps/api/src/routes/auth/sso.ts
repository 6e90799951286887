import { AppError, ssoAuthorizeQuerySchema, ssoCallbackQuerySchema } from '@agentflow/contracts';
import {
  beginSsoLogin,
  completeSsoLogin,
  createSsoStateSigner,
  type SsoDeps,
  WorkosSso,
} from '@agentflow/services';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestMeta, startSession } from '../../auth/session';
import type { WorkosConfig } from '../../config/env';
import { classifyError } from '../../errors/classify';

export interface SsoRouteOptions {
  /** WorkOS credentials; undefined = SSO is off on this instance (503). */
  workos: WorkosConfig | undefined;
  /** Our callback URL as registered at WorkOS. */
  redirectUri: string;
  /** Where the browser lands after a successful sign-in (the web app). */
  appUrl: string;
  /** The access-token secret: the state-signing key is derived from it. */
  jwtSecret: string;
}

export const SSO_STATE_COOKIE = 'af_sso_state';
/** Sent back only to the two SSO endpoints. */
export const SSO_COOKIE_PATH = '/api/v1/auth/sso';
/** The web app's page that explains a failed SSO sign-in (`?error=<code>&org=<slug>&request_id=`). */
export const SSO_ERROR_PATH = '/login/sso';

/** A top-level browser navigation asks for HTML; API clients and fetch() ask for JSON (or anything). */
function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/.test(String(request.headers.accept ?? ''));
}

/**
 * SSO sign-in with WorkOS (issue 3 item 2), both public (the browser has no credentials yet):
 * `GET /auth/sso/authorize?org=<slug>` -> 302 to WorkOS with a signed state + a browser-binding cookie;
 * `GET /auth/sso/callback?code&state` -> checks, provisions, sets the refresh cookie, 302 to the web app.
 * The access token is never put in a URL: the web app calls /auth/refresh with the new cookie.
 * Errors are the usual JSON envelope, except for a browser navigation (`Accept: text/html`): a person
 * would face raw JSON, so they are redirected to the web app's `/login/sso?error=<code>` page instead,
 * which explains it and offers to start again. Per-IP limits: the auth bucket (both are under /auth/).
 */
export const ssoAuthRoutes: FastifyPluginAsyncZod<SsoRouteOptions> = async (app, options) => {
  const deps: SsoDeps | undefined = options.workos
    ? {
        db: app.authDeps.db,
        workos: new WorkosSso({ ...options.workos, redirectUri: options.redirectUri }),
        state: createSsoStateSigner(options.jwtSecret),
      }
    : undefined;
  const requireSso = (): SsoDeps => {
    if (deps) return deps;
    throw new AppError('SERVICE_UNAVAILABLE', 'Single sign-on is not enabled on this instance.', {
      reason: 'workos_not_configured',
    });
  };
  const tags = ['auth'];
  // The cookie rides a top-level cross-site navigation back from WorkOS: SameSite=Lax is the strictest
  // setting that still sends it there (Strict would drop it and every callback would fail).
  const cookieOptions = {
    path: SSO_COOKIE_PATH,
    httpOnly: true,
    secure: true,
    sameSite: 'lax' as const,
  };
  const clearStateCookie = (reply: FastifyReply) => reply.clearCookie(SSO_STATE_COOKIE, cookieOptions);

  /** Logged like the error handler does, then a redirect to the web app's explanation. */
  const landOnErrorPage = (
    error: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    org: string | undefined,
  ) => {
    const classified = classifyError(error);
    if (classified.internal) request.log.error({ err: error, code: classified.code }, 'request failed');
    else request.log.info({ code: classified.code, statusCode: classified.statusCode }, 'request rejected');
    const target = new URL(SSO_ERROR_PATH, options.appUrl);
    target.searchParams.set('error', classified.code);
    if (org) target.searchParams.set('org', org);
    target.searchParams.set('request_id', request.id);
    return reply.header('cache-control', 'no-store').redirect(target.toString(), 302);
  };

  app.get(
    '/auth/sso/authorize',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Start an SSO sign-in: redirects to the org's identity provider through WorkOS",
        description:
          'Sets a short-lived httpOnly cookie binding the sign-in to this browser. 404 `SSO_NOT_CONFIGURED` ' +
          'for an unknown slug or an org without SSO; 503 when the instance has no WorkOS credentials. ' +
          'With `Accept: text/html` (a browser navigation) errors redirect to the web app: ' +
          '`/login/sso?error=<code>&org=<slug>&request_id=<id>`.',
        querystring: ssoAuthorizeQuerySchema,
        response: { 302: z.null().describe('Redirect to WorkOS (Location header)') },
      },
    },
    async (request, reply) => {
      let started: Awaited<ReturnType<typeof beginSsoLogin>>;
      try {
        started = await beginSsoLogin(requireSso(), request.query.org);
      } catch (error) {
        if (wantsHtml(request)) return landOnErrorPage(error, request, reply, request.query.org);
        throw error;
      }
      reply.setCookie(SSO_STATE_COOKIE, started.cookie, { ...cookieOptions, maxAge: 10 * 60 });
      return reply.header('cache-control', 'no-store').redirect(started.url, 302);
    },
  );

  app.get(
    '/auth/sso/callback',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'WorkOS redirects here after the identity provider; signs the user in',
        description:
          'On success: sets the refresh cookie and redirects to the web app (which calls /auth/refresh). ' +
          'Errors: 400 `SSO_STATE_INVALID` (tampered, expired, missing, or started in another browser), ' +
          '400 `SSO_LOGIN_FAILED`, 403 `SSO_ORG_MISMATCH` (identity of another WorkOS organization), ' +
          '404 `SSO_NOT_CONFIGURED`, 409 `SSO_ACCOUNT_EXISTS` (unverified email of an existing account), ' +
          '502 `SSO_PROVIDER_ERROR`. With `Accept: text/html` (the browser coming back from WorkOS) errors ' +
          'redirect to the web app: `/login/sso?error=<code>&request_id=<id>`.',
        querystring: ssoCallbackQuerySchema,
        response: { 302: z.null().describe('Redirect to the web app') },
      },
    },
    async (request, reply) => {
      // Single use, whatever the outcome: a failed callback must be restarted from /authorize.
      clearStateCookie(reply);
      try {
        const sso = requireSso();
        const { code, state, error } = request.query;
        const user = await completeSsoLogin(
          sso,
          { code, state, error, cookie: request.cookies[SSO_STATE_COOKIE] },
          requestMeta(request),
        );
        await startSession(request, reply, { userId: user.userId, orgId: user.orgId }, 'auth.sso_login');
      } catch (error) {
        if (wantsHtml(request)) return landOnErrorPage(error, request, reply, undefined);
        throw error;
      }
      return reply.header('cache-control', 'no-store').redirect(`${options.appUrl}/`, 302);
    },
  );
};
