import { APP_ROLE } from '@agentflow/db';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { authHeader, createApiKey, refreshCookieOf } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';

const db = sharedTestDatabase();
let app: App;
let logs: LogCapture;

beforeAll(async () => {
  await db.setup();
  // trace: the most a misconfigured deployment could log.
  ({ app, logs } = await createTestApp({
    database: db.get().connectAs(APP_ROLE),
    config: { logLevel: 'trace' },
  }));
});
afterAll(async () => {
  await app?.close();
  await db.teardown();
});

describe('secrets never leak', () => {
  it('warns at startup when JWT_SECRET is unset (a random per-process key is in use)', () => {
    const warning = logs.lines().find((line) => String(line.msg).startsWith('JWT_SECRET is not set'));
    expect(warning?.level).toBe(40);
  });

  it('passwords, refresh tokens and API keys appear in no log line and in no response after creation', async () => {
    const password = 'leak canary passphrase 7';
    const wrongPassword = 'wrong canary passphrase 8';
    const email = `canary-${Date.now()}@example.com`;
    const bodies: string[] = [];
    const headersSeen: string[] = [];
    const record = (res: LightMyRequestResponse) => {
      bodies.push(res.body);
      headersSeen.push(JSON.stringify(res.headers));
      return res;
    };

    const signup = record(
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: { email, password, name: 'Canary' },
      }),
    );
    const refreshTokens = [refreshCookieOf(signup)!.split('=')[1]!];
    const access = signup.json().access_token as string;
    record(
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: wrongPassword },
      }),
    );
    const login = record(
      await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } }),
    );
    refreshTokens.push(refreshCookieOf(login)!.split('=')[1]!);
    const refreshed = record(
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { cookie: refreshCookieOf(login)! },
      }),
    );
    refreshTokens.push(refreshCookieOf(refreshed)!.split('=')[1]!);
    // Reuse detection and logout run with the tokens in the request, the classic place for a leak.
    record(
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        headers: { cookie: refreshCookieOf(login)! },
      }),
    );
    record(await app.inject({ url: '/api/v1/auth/me', headers: authHeader(access) }));
    const key = await createApiKey(app, signup.json().organization.id, ['agents:read']);
    record(await app.inject({ url: '/api/v1/auth/me', headers: key.headers }));
    record(
      await app.inject({
        url: '/api/v1/nope',
        headers: { ...key.headers, cookie: `af_refresh=${refreshTokens[0]}` },
      }),
    );
    record(
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie: `af_refresh=${refreshTokens[2]}`, ...authHeader(access) },
      }),
    );

    expect(logs.raw.length).toBeGreaterThan(10);
    for (const secret of [password, wrongPassword, key.key, ...refreshTokens]) {
      expect(logs.text).not.toContain(secret);
    }
    for (const secret of [password, wrongPassword, key.key]) {
      for (const body of bodies) expect(body).not.toContain(secret);
    }
    // Each refresh token is sent once, in the Set-Cookie of the response that created it, never in a body.
    for (const token of refreshTokens) {
      for (const body of bodies) expect(body).not.toContain(token);
      expect(headersSeen.filter((h) => h.includes(token))).toHaveLength(1);
    }
  });
});
