import { randomUUID } from 'node:crypto';
import { APP_ROLE, asSystem } from '@agentflow/db';
import { auditLogs, orgMemberships, refreshTokens } from '@agentflow/db/schema';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import {
  addMember,
  authHeader,
  createUserWithOrg,
  mintAccessToken,
  refreshCookieOf,
  type TestUser,
} from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';

const db = sharedTestDatabase();
let app: App;

beforeAll(async () => {
  await db.setup();
  ({ app } = await createTestApp({ database: db.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await db.teardown();
});

const me = (headers: Record<string, string>) => app.inject({ url: '/api/v1/auth/me', headers });
const refresh = (cookie?: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: cookie ? { cookie } : {} });
const errorCode = (res: { json(): { error: { code: string } } }) => res.json().error.code;

describe('request authentication', () => {
  let owner: TestUser;
  beforeAll(async () => {
    owner = await createUserWithOrg(app);
  });

  it('accepts a valid Bearer token', async () => {
    expect((await me(owner.headers)).statusCode).toBe(200);
  });

  it('401 AUTH_REQUIRED without credentials', async () => {
    const res = await me({});
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('AUTH_REQUIRED');
  });

  it('401 AUTH_TOKEN_EXPIRED for an expired token', async () => {
    const token = await mintAccessToken(
      app,
      { userId: owner.user.id, orgId: owner.org.id, sessionId: owner.sessionId },
      { now: new Date(Date.now() - 16 * 60 * 1000) },
    );
    const res = await me(authHeader(token));
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('AUTH_TOKEN_EXPIRED');
  });

  it.each([
    ['a tampered payload', (t: string) => tamperPayload(t)],
    ['a bad signature', (t: string) => `${t.slice(0, -4)}AAAA`],
    ['garbage', () => 'not.a.jwt'],
    ['another key', async () => signWithOtherKey()],
  ])('401 AUTH_TOKEN_INVALID for %s', async (_label, mutate) => {
    const res = await me(authHeader(await mutate(owner.accessToken)));
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('AUTH_TOKEN_INVALID');
  });

  it('401 AUTH_TOKEN_INVALID for a non-Bearer Authorization header', async () => {
    const res = await me({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(errorCode(res)).toBe('AUTH_TOKEN_INVALID');
  });

  it('re-reads membership on every request: a removed member gets 401 at once', async () => {
    const member = await addMember(app, owner.org.id, 'editor');
    expect((await me(member.headers)).statusCode).toBe(200);
    await asSystem(app.authDeps.db, 'test: remove a member', (tx) =>
      tx
        .delete(orgMemberships)
        .where(and(eq(orgMemberships.userId, member.user.id), eq(orgMemberships.orgId, owner.org.id))),
    );
    const res = await me(member.headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({
      code: 'AUTH_TOKEN_INVALID',
      details: { reason: 'membership_revoked' },
    });
  });

  it('re-reads the role on every request', async () => {
    const member = await addMember(app, owner.org.id, 'viewer');
    await asSystem(app.authDeps.db, 'test: promote a member', (tx) =>
      tx
        .update(orgMemberships)
        .set({ role: 'admin' })
        .where(and(eq(orgMemberships.userId, member.user.id), eq(orgMemberships.orgId, owner.org.id))),
    );
    expect((await me(member.headers)).json().role).toBe('admin');
  });

  it('leaves unknown routes a plain 404 and public routes open', async () => {
    expect(errorCode(await app.inject({ url: '/api/v1/does-not-exist' }))).toBe('ROUTE_NOT_FOUND');
    expect((await refresh()).json().error.code).toBe('AUTH_REQUIRED');
  });
});

describe('refresh rotation', () => {
  it('rotates on every use: each refresh returns a new cookie and the old one stops working', async () => {
    const user = await createUserWithOrg(app);
    const first = await refresh(user.cookie);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ role: 'owner', organization: { id: user.org.id } });
    const second = refreshCookieOf(first);
    expect(second).toBeDefined();
    expect(second).not.toBe(user.cookie);
    expect((await me(authHeader(first.json().access_token))).statusCode).toBe(200);

    const third = await refresh(second);
    expect(third.statusCode).toBe(200);
    // Stored hashed: the raw token is nowhere in the table.
    const rows = await asSystem(app.authDeps.db, 'test: read tokens', (tx) =>
      tx.select().from(refreshTokens).where(eq(refreshTokens.userId, user.user.id)),
    );
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);
    const raw = [user.cookie, second, refreshCookieOf(third)].map((c) => c!.split('=')[1]!);
    for (const row of rows) for (const token of raw) expect(row.tokenHash).not.toContain(token);
    expect(rows.filter((r) => r.revokedAt === null)).toHaveLength(1);
    expect(rows.filter((r) => r.revokedReason === 'rotated' && r.replacedBy)).toHaveLength(2);
  });

  it('reuse of a rotated token revokes the whole family: the newest token and its access tokens fail too', async () => {
    const user = await createUserWithOrg(app);
    const rotated = await refresh(user.cookie);
    const newest = refreshCookieOf(rotated)!;
    const newestAccess = rotated.json().access_token;

    const replay = await refresh(user.cookie);
    expect(replay.statusCode).toBe(401);
    expect(errorCode(replay)).toBe('AUTH_TOKEN_BLACKLISTED');
    // The failed refresh clears the cookie in the browser that presented it.
    expect(replay.cookies.find((c) => c.name === 'af_refresh')?.value).toBe('');

    const afterReuse = await refresh(newest);
    expect(afterReuse.statusCode).toBe(401);
    expect(errorCode(afterReuse)).toBe('AUTH_TOKEN_BLACKLISTED');
    const access = await me(authHeader(newestAccess));
    expect(access.statusCode).toBe(401);
    expect(errorCode(access)).toBe('AUTH_TOKEN_BLACKLISTED');
    // Other sessions of the same user are untouched.
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.user.email, password: user.password },
    });
    expect(other.statusCode).toBe(200);
  });

  it('401 AUTH_TOKEN_INVALID for an unknown refresh token', async () => {
    const res = await refresh('af_refresh=nope');
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('AUTH_TOKEN_INVALID');
  });

  it('401 AUTH_TOKEN_EXPIRED for an expired refresh token', async () => {
    const user = await createUserWithOrg(app);
    await asSystem(app.authDeps.db, 'test: expire a refresh token', (tx) =>
      tx
        .update(refreshTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(refreshTokens.userId, user.user.id)),
    );
    expect(errorCode(await refresh(user.cookie))).toBe('AUTH_TOKEN_EXPIRED');
  });
});

describe('POST /auth/logout', () => {
  it('revokes the session (refresh and access tokens) and clears the cookie', async () => {
    const user = await createUserWithOrg(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: user.cookie, ...user.headers },
    });
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.find((c) => c.name === 'af_refresh');
    expect(cleared).toMatchObject({ value: '', path: '/api/v1/auth' });
    expect(errorCode(await refresh(user.cookie))).toBe('AUTH_TOKEN_BLACKLISTED');
    expect(errorCode(await me(user.headers))).toBe('AUTH_TOKEN_BLACKLISTED');
  });

  it('works with only the cookie or only the Bearer token, and is idempotent', async () => {
    const byCookie = await createUserWithOrg(app);
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: byCookie.cookie },
    });
    expect(out.statusCode).toBe(204);
    expect(errorCode(await me(byCookie.headers))).toBe('AUTH_TOKEN_BLACKLISTED');

    const byBearer = await createUserWithOrg(app);
    await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: byBearer.headers });
    expect(errorCode(await refresh(byBearer.cookie))).toBe('AUTH_TOKEN_BLACKLISTED');

    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
  });
});

describe('POST /auth/switch-org', () => {
  it('issues tokens for another org of the user; old-org tokens of the session stop working', async () => {
    const user = await createUserWithOrg(app);
    const other = await createUserWithOrg(app);
    await asSystem(app.authDeps.db, 'test: add membership', (tx) =>
      tx.insert(orgMemberships).values({ userId: user.user.id, orgId: other.org.id, role: 'viewer' }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-org',
      headers: user.headers,
      payload: { org_id: other.org.id },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ organization: { id: other.org.id }, role: 'viewer' });
    const switched = authHeader(res.json().access_token);
    expect((await me(switched)).json()).toMatchObject({
      organization: { id: other.org.id },
      role: 'viewer',
      organizations: [
        { id: user.org.id, role: 'owner' },
        { id: other.org.id, role: 'viewer' },
      ],
    });
    expect(errorCode(await me(user.headers))).toBe('AUTH_TOKEN_BLACKLISTED');

    // The new cookie refreshes into the new org; the pre-switch cookie is now a rotated token.
    const next = await refresh(refreshCookieOf(res));
    expect(next.json().organization.id).toBe(other.org.id);
    expect(errorCode(await refresh(user.cookie))).toBe('AUTH_TOKEN_BLACKLISTED');
  });

  it('404 for an org the user is not in (existing or not); 422 for a malformed id', async () => {
    const user = await createUserWithOrg(app);
    const stranger = await createUserWithOrg(app);
    for (const orgId of [stranger.org.id, randomUUID()]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/switch-org',
        headers: user.headers,
        payload: { org_id: orgId },
      });
      expect(res.statusCode).toBe(404);
      expect(errorCode(res)).toBe('ORG_NOT_FOUND');
    }
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/switch-org',
      headers: user.headers,
      payload: { org_id: 'x' },
    });
    expect(bad.statusCode).toBe(422);
  });
});

function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  claims.org = randomUUID();
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

async function signWithOtherKey(): Promise<string> {
  const { createAccessTokenSigner } = await import('@agentflow/services');
  return createAccessTokenSigner('x'.repeat(40)).sign({
    userId: randomUUID(),
    orgId: randomUUID(),
    sessionId: randomUUID(),
  });
}

describe('audit and docs', () => {
  it('writes auth.signup, auth.login and auth.logout rows in the session org', async () => {
    const email = `audited-${Date.now()}@example.com`;
    const password = 'audited passphrase 99';
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password, name: 'Audited' },
      headers: { 'user-agent': 'audit-test/1.0' },
    });
    const { user, organization } = signup.json();
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: refreshCookieOf(login)!, 'x-request-id': 'logout-req-1' },
    });
    const rows = await asSystem(app.authDeps.db, 'test: read audit rows', (tx) =>
      tx.select().from(auditLogs).where(eq(auditLogs.orgId, organization.id)).orderBy(auditLogs.createdAt),
    );
    expect(rows.map((r) => r.action)).toEqual(['auth.signup', 'auth.login', 'auth.logout']);
    for (const row of rows)
      expect(row).toMatchObject({ userId: user.id, resourceType: 'user', resourceId: user.id });
    expect(rows[0]).toMatchObject({ userAgent: 'audit-test/1.0', ipAddress: '127.0.0.1' });
    expect(rows[2]).toMatchObject({ requestId: 'logout-req-1' });
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it('documents the auth routes, public ones without a security requirement', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json();
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/auth/me'].get.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
    expect(
      doc.paths['/api/v1/auth/signup'].post.requestBody.content['application/json'].schema,
    ).toBeDefined();
  });
});
