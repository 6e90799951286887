import { createServer, type Server } from 'node:net';
import { errorEnvelopeSchema, readinessSchema } from '@agentflow/contracts';
import { createDb, type Database } from '@agentflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { closeRedis, createRedisClient } from '../redis';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';

const quietLogger = createLogger({ level: 'silent' });

describe('/healthz', () => {
  const db = sharedTestDatabase();
  beforeAll(() => db.setup());
  afterAll(() => db.teardown());

  it('is 200 with uptime, without touching dependencies', async () => {
    const broken = { ...db.get(), ping: () => Promise.reject(new Error('down')) };
    const { app } = await createTestApp({ database: broken });
    const res = await app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', uptime_s: expect.any(Number) });
    await app.close();
  });
});

describe('/readyz', () => {
  it('is 200 with embedded PGlite; redis disabled when not configured', async () => {
    const database = await createDb({ dataDir: 'memory://' });
    const { app } = await createTestApp({ database });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    const body = readinessSchema.parse(res.json());
    expect(body.status).toBe('ok');
    expect(body.checks.database).toEqual({ status: 'ok', latency_ms: expect.any(Number) });
    expect(body.checks.redis).toEqual({ status: 'disabled' });
    await app.close();
    await database.close();
  });

  it.skipIf(!process.env.DATABASE_URL)('is 200 with real Postgres (needs DATABASE_URL)', async () => {
    const database = await createDb({ databaseUrl: process.env.DATABASE_URL });
    const { app } = await createTestApp({ database });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.database.status).toBe('ok');
    await app.close();
    await database.close();
  });

  it('is 503 SERVICE_UNAVAILABLE naming the database when its ping fails', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:5432'), { code: 'ECONNREFUSED' });
    const unreachable: Database = {
      db: {} as Database['db'],
      driver: 'postgres',
      ping: () => Promise.reject(refused),
      close: async () => {},
    };
    const { app } = await createTestApp({ database: unreachable });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const { error } = errorEnvelopeSchema.parse(res.json());
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.details.failed).toEqual(['database']);
    expect(error.details.checks).toMatchObject({ database: { status: 'error', error: 'ECONNREFUSED' } });
    expect(JSON.stringify(error)).not.toContain('10.0.0.9');
    await app.close();
  });

  describe('with Redis', () => {
    const db = sharedTestDatabase();
    let deadPort: number;
    let blackhole: Server;
    beforeAll(async () => {
      await db.setup();
      // Bind then close: the port is free, so connections to it are refused.
      deadPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const address = probe.address();
          probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      });
      // Accepts TCP but never speaks Redis: pings hang until the readiness timeout.
      blackhole = createServer(() => {}).listen(0, '127.0.0.1');
      await new Promise((resolve) => blackhole.once('listening', resolve));
    });
    afterAll(async () => {
      blackhole.close();
      await db.teardown();
    });

    it('is 503 listing redis when the client points to a dead port', async () => {
      const redis = createRedisClient(`redis://127.0.0.1:${deadPort}`, quietLogger);
      const { app } = await createTestApp({ database: db.get(), redis, readinessTimeoutMs: 1000 });
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      const { error } = errorEnvelopeSchema.parse(res.json());
      expect(error.details.failed).toEqual(['redis']);
      expect(error.details.checks).toMatchObject({
        database: { status: 'ok' },
        redis: { status: 'error', latency_ms: expect.any(Number), error: expect.any(String) },
      });
      // The reason is a class (ECONNREFUSED / timeout), never a host or a URL.
      expect(JSON.stringify(error.details)).not.toContain('127.0.0.1');
      await app.close();
      await closeRedis(redis);
    });

    it('is 503 within the timeout when Redis accepts but never answers', async () => {
      const address = blackhole.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const redis = createRedisClient(`redis://127.0.0.1:${port}`, quietLogger);
      const { app } = await createTestApp({ database: db.get(), redis, readinessTimeoutMs: 300 });
      const started = performance.now();
      const res = await app.inject({ url: '/readyz' });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.details.checks.redis.error).toBe('timed out after 300ms');
      await app.close();
      await closeRedis(redis);
    });

    // Needs a live Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it.
    it.skipIf(!process.env.REDIS_URL)('is 200 with a live Redis (needs REDIS_URL)', async () => {
      const redis = createRedisClient(process.env.REDIS_URL!, quietLogger);
      const { app } = await createTestApp({ database: db.get(), redis });
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(200);
      expect(res.json().checks.redis).toEqual({ status: 'ok', latency_ms: expect.any(Number) });
      await app.close();
      await closeRedis(redis);
    });
  });
});
