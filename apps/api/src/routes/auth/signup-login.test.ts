import { APP_ROLE } from '@agentflow/db';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createLogger } from '../../logging/logger';
import { closeRedis, createRedisClient } from '../../redis';
import { authHeader, refreshCookieOf } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';

const db = sharedTestDatabase();
let app: App;
let logs: LogCapture;
// With REDIS_URL the failed-login counters live in Redis, as in production; in process otherwise.
let redis: Redis | undefined;

beforeAll(async () => {
  await db.setup();
  redis = process.env.REDIS_URL ? createRedisClient(process.env.REDIS_URL, quietLogger()) : undefined;
  ({ app, logs } = await createTestApp({ database: db.get().connectAs(APP_ROLE), redis }));
});
afterAll(async () => {
  await app?.close();
  if (redis) await closeRedis(redis);
  await db.teardown();
});

function quietLogger() {
  return createLogger({ level: 'silent' });
}

const password = 'a sturdy passphrase 42';
let n = 0;
const freshEmail = () => `Person${++n}.${Date.now()}@Example.COM`;

function signup(body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: body });
}

describe('POST /auth/signup', () => {
  it('creates the user, an org they own and a session; sets the refresh cookie', async () => {
    const email = freshEmail();
    const res = await signup({
      email,
      password,
      name: 'Ada Lovelace',
      organization_name: 'Analytical Engines',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { email: email.toLowerCase(), name: 'Ada Lovelace', avatar_url: null },
      organization: { name: 'Analytical Engines', slug: 'analytical-engines', plan: 'starter' },
      role: 'owner',
    });
    const cookie = res.cookies.find((c) => c.name === 'af_refresh');
    expect(cookie).toMatchObject({ path: '/api/v1/auth', httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const me = await app.inject({ url: '/api/v1/auth/me', headers: authHeader(body.access_token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: body.user.id },
      organization: { id: body.organization.id },
      role: 'owner',
      organizations: [{ id: body.organization.id, role: 'owner' }],
    });
  });

  it('gives a second org with the same name a unique slug', async () => {
    const a = await signup({ email: freshEmail(), password, name: 'A', organization_name: 'Same Name' });
    const b = await signup({ email: freshEmail(), password, name: 'B', organization_name: 'Same Name' });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().organization.slug).toMatch(/^same-name-[a-z0-9]{6}$/);
  });

  it('defaults the org name from the user name', async () => {
    const res = await signup({ email: freshEmail(), password, name: 'Grace' });
    expect(res.json().organization).toMatchObject({
      name: "Grace's organization",
      slug: 'grace-s-organization',
    });
  });

  it('rejects a taken email (any case) with 409', async () => {
    const email = freshEmail();
    expect((await signup({ email, password, name: 'One' })).statusCode).toBe(201);
    const res = await signup({ email: email.toUpperCase(), password, name: 'Two' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { fields: [{ path: 'body.email' }] },
    });
  });

  it.each([
    ['short', 'too-short'],
    ['long', 'x'.repeat(257)],
  ])('rejects a %s password with 422 naming the field', async (_label, weak) => {
    const res = await signup({ email: freshEmail(), password: weak, name: 'Weak' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('VALIDATION_ERROR');
    expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.password']);
  });

  it('rejects a malformed email naming the field', async () => {
    const res = await signup({ email: 'not-an-email', password, name: 'X' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.fields[0].path).toBe('body.email');
  });
});

describe('POST /auth/login', () => {
  let email: string;
  beforeAll(async () => {
    email = freshEmail();
    expect((await signup({ email, password, name: 'Login Person' })).statusCode).toBe(201);
  });

  const login = (body: Record<string, unknown>, ip = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress: ip });

  it('signs in with any email case and sets a refresh cookie', async () => {
    const res = await login({ email: email.toUpperCase(), password });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'owner', user: { email: email.toLowerCase() } });
    expect(refreshCookieOf(res)).toBeDefined();
  });

  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await login({ email, password: 'not the password' });
    const unknown = await login({ email: `nobody-${Date.now()}@example.com`, password });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({
        code: 'AUTH_INVALID_CREDENTIALS',
        message: 'Invalid email or password.',
      });
    }
    expect(wrong.json().error.details).toEqual(unknown.json().error.details);
  });

  it('locks an account after 5 failures in the window: 429 with Retry-After, even with the right password', async () => {
    const victim = freshEmail();
    expect((await signup({ email: victim, password, name: 'Victim' })).statusCode).toBe(201);
    for (let i = 0; i < 5; i++) {
      expect((await login({ email: victim, password: `guess ${i}` }, `10.1.0.${i}`)).statusCode).toBe(401);
    }
    const locked = await login({ email: victim, password }, '10.2.0.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMIT_EXCEEDED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Other accounts are unaffected.
    expect((await login({ email, password })).statusCode).toBe(200);
  });

  it('signs in to a requested org only if a member (404 otherwise)', async () => {
    const res = await login({ email, password, org_id: '00000000-0000-4000-8000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('ORG_NOT_FOUND');
  });

  it('never logs passwords or refresh tokens', async () => {
    logs.clear();
    const res = await login({ email, password });
    const token = refreshCookieOf(res)?.split('=')[1];
    expect(token).toBeDefined();
    expect(logs.text).not.toContain(password);
    expect(logs.text).not.toContain(token);
    expect(logs.text).not.toContain(res.json().access_token);
  });
});
