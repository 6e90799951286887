import { AppError } from '@agentflow/contracts';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config/env';
import type { Pingable } from '../health/readiness';
import '../auth/types';

/**
 * Request rate limits (seed 004 §8.4), one fixed-window counter per bucket:
 *
 * | request                                  | bucket                 | limit (default / min) |
 * | ---------------------------------------- | ---------------------- | --------------------- |
 * | authenticated by an API key              | `key:<api key id>`     | 500                   |
 * | authenticated by a user's access token   | `org:<org id>`         | 1,000                 |
 * | public /api/v1/auth/* (login, signup...) | `auth:<client ip>`     | 10                    |
 * | anything else without credentials        | `ip:<client ip>`       | 300                   |
 *
 * The bucket depends on `request.auth`, so the hook must run after authentication: it is an
 * onRequest hook registered after the auth plugin's (hooks run in registration order). A request
 * whose credentials are rejected never reaches it: the 401 is answered by the auth hook, which counts
 * it in its own per-IP failed-credentials bucket instead (auth/failed-auth-limiter.ts,
 * RATE_LIMIT_FAILED_AUTH_MAX, scope `failed_auth`).
 * Counters live in Redis when the app has an ioredis client (shared by every instance), otherwise
 * in process. Probes are never limited: a load balancer must always be able to ask.
 */

export interface RateLimitOptions {
  config: RateLimitConfig;
  /** The app's Redis client; counters go there when it is an ioredis instance. */
  redis?: Pingable | undefined;
  /** Route prefix of the public auth endpoints (`/api/v1/auth/`). */
  authPrefix: string;
}

type Scope = 'api_key' | 'org' | 'auth' | 'ip';

const EXEMPT_PATHS = new Set(['/healthz', '/readyz']);

export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const { config, authPrefix } = options;
  if (!config.enabled) return;

  const limits: Record<Scope, number> = {
    api_key: config.apiKeyMax,
    org: config.orgMax,
    auth: config.authMax,
    ip: config.ipMax,
  };
  const redis = options.redis instanceof Redis ? options.redis : undefined;

  await app.register(rateLimit, {
    // Not per route: one hook for the whole app, added below after authentication.
    global: false,
    timeWindow: config.windowMs,
    keyGenerator: (request) => bucketOf(request, authPrefix),
    max: (_request, key) => limits[scopeOf(key)],
    allowList: (request) => EXEMPT_PATHS.has(request.routeOptions.url ?? ''),
    ...(redis ? { redis, nameSpace: config.redisPrefix } : {}),
    // A Redis outage must not take the API down with it: requests pass unlimited meanwhile, and
    // /readyz reports Redis as failing, which is what operators watch.
    skipOnError: true,
    errorResponseBuilder: (request, context) => {
      const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000));
      return new AppError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: retry in ${context.after}.`, {
        scope: scopeOf(bucketOf(request, authPrefix)),
        limit: context.max,
        window_seconds: Math.round(config.windowMs / 1000),
        retry_after_seconds: retryAfter,
      });
    },
  });
  app.addHook('onRequest', app.rateLimit());
}

/** The bucket a request counts against; the prefix before `:` is its scope. */
export function bucketOf(request: FastifyRequest, authPrefix: string): string {
  const auth = request.auth;
  if (auth?.kind === 'api_key') return `key:${auth.apiKeyId}`;
  if (auth?.kind === 'user') return `org:${auth.orgId}`;
  // The route pattern, not the raw URL: `/api/v1/auth/login?x` and encodings map to one route.
  const route = request.routeOptions.url ?? request.url;
  const ip = normalizeIP(request.ip);
  return route.startsWith(authPrefix) ? `auth:${ip}` : `ip:${ip}`;
}

function scopeOf(key: string): Scope {
  const prefix = key.slice(0, key.indexOf(':'));
  if (prefix === 'key') return 'api_key';
  if (prefix === 'org' || prefix === 'auth') return prefix;
  return 'ip';
}
