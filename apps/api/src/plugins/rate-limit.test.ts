import { randomBytes } from 'node:crypto';
import { APP_ROLE } from '@agentflow/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { type AppConfig, loadConfig, type RateLimitConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { closeRedis, createRedisClient } from '../redis';
import { addMember, createApiKey, createUserWithOrg } from '../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';

const db = sharedTestDatabase();
const apps: App[] = [];

beforeAll(() => db.setup());
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db.teardown();
});

// A protected route (credentials required, no permission) and a public one to count requests against.
const probeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/rate-limit-probe', async () => ({ ok: true }));
  app.get('/rate-limit-public', { config: { public: true } }, async () => ({ ok: true }));
};

const low: Omit<RateLimitConfig, 'redisPrefix'> = {
  enabled: true,
  windowMs: 60_000,
  orgMax: 3,
  apiKeyMax: 2,
  authMax: 2,
  ipMax: 2,
  failedAuthMax: 1000,
};

// One signing key for every app of the file, so a token minted by one instance is valid on another.
const jwtSecret = randomBytes(32).toString('base64url');

async function makeApp(
  limits: Partial<RateLimitConfig> = {},
  redis?: Redis,
  config: Partial<AppConfig> = {},
): Promise<App> {
  const rateLimit: RateLimitConfig = {
    ...low,
    // Unique per test: Redis counters must not leak between tests, files or runs.
    redisPrefix: `af-test:rl:${randomBytes(6).toString('hex')}:`,
    ...limits,
  };
  const { app } = await createTestApp({
    database: db.get().connectAs(APP_ROLE),
    redis,
    plugins: [probeRoutes],
    config: { rateLimit, jwtSecret, jwtSecretGenerated: false, ...config },
  });
  apps.push(app);
  return app;
}

const get = (app: App, url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

describe('rate limits', () => {
  it('are on by default, and off by default only under NODE_ENV=test', () => {
    expect(loadConfig({}).rateLimit).toMatchObject({
      enabled: true,
      windowMs: 60_000,
      orgMax: 1000,
      apiKeyMax: 500,
      authMax: 10,
    });
    expect(loadConfig({ NODE_ENV: 'test' }).rateLimit.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', RATE_LIMIT_ENABLED: 'true' }).rateLimit.enabled).toBe(true);
    expect(() => loadConfig({ RATE_LIMIT_ORG_MAX: '0' })).toThrow(/RATE_LIMIT_ORG_MAX/);
  });

  it('send X-RateLimit-* headers, then a 429 envelope with Retry-After (per org, JWT)', async () => {
    const app = await makeApp();
    const owner = await createUserWithOrg(app);
    const first = await get(app, '/api/v1/rate-limit-probe', owner.headers);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(first.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);

    // Another member of the same org shares the org's bucket.
    const colleague = await addMember(app, owner.org.id, 'viewer');
    expect((await get(app, '/api/v1/rate-limit-probe', colleague.headers)).statusCode).toBe(200);
    await get(app, '/api/v1/rate-limit-probe', owner.headers);
    const limited = await get(app, '/api/v1/rate-limit-probe', owner.headers);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual({
      error: {
        code: 'RATE_LIMIT_EXCEEDED',
        message: expect.stringMatching(/^Rate limit exceeded: retry in /),
        details: { scope: 'org', limit: 3, window_seconds: 60, retry_after_seconds: expect.any(Number) },
        request_id: limited.headers['x-request-id'],
      },
    });
    expect((await get(app, '/api/v1/rate-limit-probe', colleague.headers)).statusCode).toBe(429);
    // Another org is unaffected.
    const stranger = await createUserWithOrg(app);
    expect((await get(app, '/api/v1/rate-limit-probe', stranger.headers)).statusCode).toBe(200);
  });

  it('keep API key and org buckets independent', async () => {
    const app = await makeApp();
    const owner = await createUserWithOrg(app);
    const key = await createApiKey(app, owner.org.id, ['agents:read']);
    const otherKey = await createApiKey(app, owner.org.id, ['agents:read']);
    const viaKey = () => get(app, '/api/v1/rate-limit-probe', key.headers);
    expect((await viaKey()).headers['x-ratelimit-limit']).toBe('2');
    expect((await viaKey()).statusCode).toBe(200);
    const limited = await viaKey();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.details.scope).toBe('api_key');
    // Same org: the other key and the org's users still have their own budgets.
    expect((await get(app, '/api/v1/rate-limit-probe', otherKey.headers)).statusCode).toBe(200);
    const user = await get(app, '/api/v1/rate-limit-probe', owner.headers);
    expect(user.statusCode).toBe(200);
    expect(user.headers['x-ratelimit-limit']).toBe('3');
    expect(user.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('limit public auth endpoints per client IP, failed attempts included', async () => {
    const app = await makeApp();
    const login = (ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: ip,
        payload: { email: 'nobody@example.com', password: 'wrong password 123' },
      });
    expect((await login('10.0.0.1')).headers['x-ratelimit-limit']).toBe('2');
    await login('10.0.0.1');
    const limited = await login('10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { scope: 'auth' } });
    // Another client is not affected, nor is the same client's non-auth traffic.
    expect((await login('10.0.0.2')).statusCode).not.toBe(429);
    const other = await app.inject({ url: '/api/v1/rate-limit-public', remoteAddress: '10.0.0.1' });
    expect(other.statusCode).toBe(200);
  });

  it('count clients behind a trusted proxy by their forwarded address (TRUST_PROXY)', async () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
    const app = await makeApp({}, undefined, { trustProxy: ['127.0.0.1'] });
    const from = (client: string) =>
      app.inject({ url: '/api/v1/rate-limit-public', headers: { 'x-forwarded-for': client } });
    await from('203.0.113.1');
    await from('203.0.113.1');
    expect((await from('203.0.113.1')).statusCode).toBe(429);
    expect((await from('203.0.113.2')).statusCode).toBe(200);
  });

  it('limit other unauthenticated requests per IP, and never the probes', async () => {
    const app = await makeApp();
    const call = (url: string) => app.inject({ url, remoteAddress: '10.0.0.9' });
    await call('/api/v1/rate-limit-public');
    await call('/no/such/route'); // 404s count: scanning is traffic too
    const limited = await call('/api/v1/rate-limit-public');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.details.scope).toBe('ip');
    for (let i = 0; i < 4; i++) {
      const probe = await call('/healthz');
      expect(probe.statusCode).toBe(200);
      expect(probe.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('throttle guessing: rejected credentials count per IP, then credentialed requests get 429', async () => {
    const app = await makeApp({ failedAuthMax: 3, orgMax: 100, apiKeyMax: 100, ipMax: 100 });
    const owner = await createUserWithOrg(app);
    const from = (ip: string, headers: Record<string, string>) =>
      app.inject({ url: '/api/v1/rate-limit-probe', remoteAddress: ip, headers });
    const attacker = '10.0.0.20';
    expect((await from(attacker, { authorization: 'Bearer not.a.jwt' })).statusCode).toBe(401);
    expect((await from(attacker, { 'x-api-key': 'af_live_guess1' })).statusCode).toBe(401);
    // A valid token in between neither counts nor resets the count.
    expect((await from(attacker, owner.headers)).statusCode).toBe(200);
    expect((await from(attacker, { 'x-api-key': 'af_live_guess2' })).statusCode).toBe(401);
    const limited = await from(attacker, { 'x-api-key': 'af_live_guess3' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      details: { scope: 'failed_auth', limit: 3, window_seconds: 60 },
    });
    // While blocked, valid credentials from that address are not checked either (no oracle) ...
    expect((await from(attacker, owner.headers)).statusCode).toBe(429);
    // ... but requests without credentials and other clients are unaffected.
    const anonymous = await app.inject({ url: '/api/v1/rate-limit-public', remoteAddress: attacker });
    expect(anonymous.statusCode).toBe(200);
    expect((await from('10.0.0.21', owner.headers)).statusCode).toBe(200);
    expect((await from('10.0.0.21', { authorization: 'Bearer x' })).statusCode).toBe(401);
  });

  it('add no hook at all when disabled', async () => {
    const app = await makeApp({ enabled: false });
    const owner = await createUserWithOrg(app);
    for (let i = 0; i < 5; i++) {
      const res = await get(app, '/api/v1/rate-limit-probe', owner.headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  const redisUrl = process.env.REDIS_URL;
  describe.skipIf(!redisUrl)(`with Redis${redisUrl ? '' : ' (SKIPPED: REDIS_URL is not set)'}`, () => {
    let redisA: Redis;
    let redisB: Redis;
    beforeAll(() => {
      const quiet = createLogger({ level: 'silent' });
      redisA = createRedisClient(redisUrl!, quiet);
      redisB = createRedisClient(redisUrl!, quiet);
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
      apps.length = 0;
      await closeRedis(redisA);
      await closeRedis(redisB);
    });

    it('two instances sharing Redis share the bucket', async () => {
      const redisPrefix = `af-test:rl:${randomBytes(6).toString('hex')}:`;
      const a = await makeApp({ redisPrefix }, redisA);
      const b = await makeApp({ redisPrefix }, redisB);
      const owner = await createUserWithOrg(a);
      expect((await get(a, '/api/v1/rate-limit-probe', owner.headers)).statusCode).toBe(200);
      const second = await get(b, '/api/v1/rate-limit-probe', owner.headers);
      expect(second.headers['x-ratelimit-remaining']).toBe('1');
      expect((await get(a, '/api/v1/rate-limit-probe', owner.headers)).statusCode).toBe(200);
      expect((await get(b, '/api/v1/rate-limit-probe', owner.headers)).statusCode).toBe(429);
      const keys = await redisA.keys(`${redisPrefix}*`);
      expect(keys).toEqual([`${redisPrefix}org:${owner.org.id}`]);
      expect(await redisA.pttl(keys[0]!)).toBeGreaterThan(0);
      await redisA.del(...keys);
    });

    it('two instances sharing Redis share the failed-credentials count', async () => {
      const redisPrefix = `af-test:rl:${randomBytes(6).toString('hex')}:`;
      const a = await makeApp({ redisPrefix, failedAuthMax: 2 }, redisA);
      const b = await makeApp({ redisPrefix, failedAuthMax: 2 }, redisB);
      const guess = (app: App) =>
        app.inject({ url: '/api/v1/rate-limit-probe', headers: { 'x-api-key': 'af_live_guess' } });
      expect((await guess(a)).statusCode).toBe(401);
      expect((await guess(b)).statusCode).toBe(401);
      expect((await guess(a)).statusCode).toBe(429);
      const keys = await redisA.keys(`${redisPrefix}failed-auth:*`);
      expect(keys).toHaveLength(1);
      await redisA.del(...(await redisA.keys(`${redisPrefix}*`)));
    });
  });
});
