import {
  AppError,
  authSessionSchema,
  isAppError,
  loginBodySchema,
  meResponseSchema,
  signupBodySchema,
  switchOrgBodySchema,
} from '@agentflow/contracts';
import { endSession, getMe, login, refreshSession, signup, switchOrg } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearRefreshCookie, REFRESH_COOKIE } from '../../auth/cookies';
import { requireUser } from '../../auth/guards';
import { requestMeta, sendSession } from '../../auth/session';
import { meBody } from './present';

const tags = ['auth'];
const publicRoute = { public: true };

/**
 * Accounts (issue 3 item 1): signup, login, refresh, logout, me, switch-org. Thin: validate, call the
 * account services, set or clear the refresh cookie. Per-IP limits come from the rate-limit plugin;
 * the per-account failed-login limit lives in the login service.
 */
export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = app.authDeps;

  app.post(
    '/auth/signup',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'Create an account and its organization (the caller becomes owner)',
        body: signupBodySchema,
        response: { 201: authSessionSchema },
      },
    },
    async (request, reply) => {
      const { email, password, name, organization_name } = request.body;
      const session = await signup(
        deps,
        { email, password, name, organizationName: organization_name },
        requestMeta(request),
      );
      return sendSession(reply.code(201), session);
    },
  );

  app.post(
    '/auth/login',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'Sign in with email and password',
        description: 'After 5 failed attempts for one account in 15 minutes: 429 with Retry-After.',
        body: loginBodySchema,
        response: { 200: authSessionSchema },
      },
    },
    async (request, reply) => {
      const { email, password, org_id } = request.body;
      try {
        const session = await login(deps, { email, password, orgId: org_id }, requestMeta(request));
        return sendSession(reply, session);
      } catch (error) {
        const retryAfter = isAppError(error) ? error.details.retry_after_seconds : undefined;
        if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
        throw error;
      }
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'Exchange the refresh cookie for new tokens (the cookie is rotated)',
        response: { 200: authSessionSchema },
      },
    },
    async (request, reply) => {
      const token = request.cookies[REFRESH_COOKIE];
      if (!token) throw new AppError('AUTH_REQUIRED', 'No refresh token: sign in.');
      try {
        return sendSession(reply, await refreshSession(deps, token, requestMeta(request)));
      } catch (error) {
        // A refresh token that failed once never works again: stop the browser from sending it.
        clearRefreshCookie(reply);
        throw error;
      }
    },
  );

  app.post(
    '/auth/logout',
    {
      config: publicRoute,
      schema: {
        tags,
        summary: 'End the session (refresh cookie and/or Bearer token); always clears the cookie',
        response: { 204: z.null().describe('Signed out') },
      },
    },
    async (request, reply) => {
      // Public so an expired access token cannot stand in the way of signing out; the signature is
      // still checked before its session id is trusted.
      const bearer = /^Bearer +([^\s]+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const claims = bearer ? await deps.signer.verify(bearer).catch(() => undefined) : undefined;
      await endSession(deps, { refreshToken: request.cookies[REFRESH_COOKIE], claims }, requestMeta(request));
      clearRefreshCookie(reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags,
        summary: 'The signed-in user, current org and role, and every org they belong to',
        response: { 200: meResponseSchema },
      },
    },
    async (request) => meBody(await getMe(deps, requireUser(request))),
  );

  app.post(
    '/auth/switch-org',
    {
      schema: {
        tags,
        summary: 'New tokens for another org the user belongs to (404 if not a member)',
        body: switchOrgBodySchema,
        response: { 200: authSessionSchema },
      },
    },
    async (request, reply) => {
      const session = await switchOrg(deps, requireUser(request), request.body.org_id, requestMeta(request));
      return sendSession(reply, session);
    },
  );
};
