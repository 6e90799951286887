import { AppError, isAppError } from '@agentflow/contracts';
import type { Database } from '@agentflow/db';
import {
  type AuthDeps,
  authenticateAccessToken,
  authenticateApiKey,
  createAccessTokenSigner,
  FailedLoginLimiter,
  MemoryAttemptStore,
  type RequestAuth,
} from '@agentflow/services';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/env';
import type { Pingable } from '../health/readiness';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RedisAttemptStore } from './redis-attempt-store';
import './types';
import { offeredWebSocketCredential, webSocketCredential } from './websocket-credential';

export interface AuthPluginOptions {
  config: Pick<AppConfig, 'jwtSecret' | 'jwtSecretGenerated'> & {
    /** `enabled`, `windowMs`, `failedAuthMax`, `redisPrefix`: the per-IP failed-credentials limit. */
    rateLimit?: AppConfig['rateLimit'] | undefined;
  };
  database: Database;
  /** The app's Redis client: failed-login counters go there when it is an ioredis client. */
  redis?: Pingable | undefined;
  /** Routes under this prefix need credentials unless `config: { public: true }`. */
  protectedPrefix: string;
}

// Longer values are not ours; rejecting them early avoids hashing or parsing attacker-sized input.
const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * Request authentication for /api/v1 (ADR 0005): `Authorization: Bearer <jwt>` or `X-API-Key`, checked in
 * an onRequest hook (before the body is parsed) of every route under `protectedPrefix` not marked
 * public. Sets `request.auth`. `config: { auth: 'optional' }` routes are authenticated only when the
 * request presents credentials. Rejected credentials count against a per-IP limit (FailedAuthLimiter)
 * when rate limits are on. Unknown routes (404) and probes are untouched. Hooks that need
 * `request.auth` (rate limits per org/key) must be onRequest hooks registered after this plugin, or
 * later hooks. Also registers @fastify/cookie for the whole app.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, options) => {
    if (!app.hasReplyDecorator('setCookie')) await app.register(cookie);
    if (options.config.jwtSecretGenerated) {
      app.log.warn(
        'JWT_SECRET is not set: signing access tokens with a random key for this process only ' +
          '(tokens die on restart and are not shared between instances). Set JWT_SECRET (32+ chars).',
      );
    }
    const store =
      options.redis instanceof Redis ? new RedisAttemptStore(options.redis) : new MemoryAttemptStore();
    const deps: AuthDeps = {
      db: options.database.db,
      signer: createAccessTokenSigner(options.config.jwtSecret),
      limiter: new FailedLoginLimiter(store, {
        onStoreError: (err) =>
          app.log.warn({ err }, 'failed-login counter unavailable; not limiting this attempt'),
      }),
    };
    const failedAuth = createFailedAuthLimiter(app, options);
    app.decorate('authDeps', deps);
    app.decorateRequest('auth', null);

    const prefix = `${options.protectedPrefix}/`;
    // Documents the requirement in OpenAPI; a route may still declare its own `security`.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as { security?: unknown } | undefined;
      if (!schema || schema.security || !route.url.startsWith(prefix)) return;
      const credentials = [{ bearerAuth: [] }, { apiKey: [] }];
      if (route.config?.public) schema.security = [];
      else schema.security = route.config?.auth === 'optional' ? [{}, ...credentials] : credentials;
    });
    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions;
      if (!route.url?.startsWith(prefix) || route.config.public) return;
      if (route.config.auth === 'optional' && !presentsCredentials(request)) return;
      const auth = await authenticateLimited(deps, failedAuth, request, reply);
      request.auth = auth;
      // Every later log line of the request says who it was for.
      const who = auth.kind === 'user' ? { userId: auth.userId } : { apiKeyId: auth.apiKeyId };
      request.log = request.log.child({ orgId: auth.orgId, ...who });
      reply.log = request.log;
    });
  },
  { name: 'agentflow-auth', fastify: '5.x' },
);

function createFailedAuthLimiter(app: FastifyInstance, options: AuthPluginOptions) {
  const limits = options.config.rateLimit;
  if (!limits?.enabled) return undefined;
  const store =
    options.redis instanceof Redis
      ? new RedisAttemptStore(options.redis, `${limits.redisPrefix}failed-auth:`)
      : new MemoryAttemptStore();
  return new FailedAuthLimiter(store, {
    max: limits.failedAuthMax,
    windowMs: limits.windowMs,
    onStoreError: (err) =>
      app.log.warn({ err }, 'failed-auth counter unavailable; not limiting this request'),
  });
}

function presentsCredentials(request: FastifyRequest): boolean {
  return (
    request.headers.authorization !== undefined ||
    request.headers['x-api-key'] !== undefined ||
    offeredWebSocketCredential(request) !== undefined
  );
}

/** authenticate(), behind the per-IP failed-credentials limit (see FailedAuthLimiter). */
async function authenticateLimited(
  deps: AuthDeps,
  limiter: FailedAuthLimiter | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<RequestAuth> {
  if (!limiter || !presentsCredentials(request)) return authenticate(deps, request);
  try {
    await limiter.assertAllowed(request.ip);
  } catch (error) {
    const retryAfter = isAppError(error) ? error.details.retry_after_seconds : undefined;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    throw error;
  }
  try {
    return await authenticate(deps, request);
  } catch (error) {
    if (isAppError(error) && error.status === 401) await limiter.recordFailure(request.ip);
    throw error;
  }
}

async function authenticate(deps: AuthDeps, request: FastifyRequest): Promise<RequestAuth> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer +([^\s]+)$/i.exec(authorization);
    if (!match?.[1] || match[1].length > MAX_CREDENTIAL_LENGTH) {
      throw new AppError('AUTH_TOKEN_INVALID', 'Authorization header must be "Bearer <access token>".');
    }
    return authenticateAccessToken(deps, match[1]);
  }
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    if (typeof apiKey !== 'string' || !apiKey || apiKey.length > MAX_CREDENTIAL_LENGTH) {
      throw new AppError('AUTH_TOKEN_INVALID', 'API key is invalid.');
    }
    return authenticateApiKey(deps, apiKey);
  }
  // WebSocket routes only (`config: { websocketAuth: true }`): browsers cannot set headers there.
  if (offeredWebSocketCredential(request) !== undefined) {
    const credential = webSocketCredential(request, MAX_CREDENTIAL_LENGTH);
    return credential.kind === 'access_token'
      ? authenticateAccessToken(deps, credential.value)
      : authenticateApiKey(deps, credential.value);
  }
  throw new AppError('AUTH_REQUIRED', 'Authentication required: send a Bearer token or an X-API-Key.');
}
