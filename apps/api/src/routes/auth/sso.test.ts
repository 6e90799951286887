import { APP_ROLE } from '@agentflow/db';
import { auditLogs, orgMemberships, refreshTokens, users } from '@agentflow/db/schema';
import { type FakeProfileInput, type FakeWorkos, startFakeWorkos } from '@agentflow/services/testing/workos';
import { and, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from '../org/test-fixtures';
import { SSO_STATE_COOKIE } from './sso';

const shared = sharedTestDatabase();
const owner = () => shared.get().db;
const APP_URL = 'https://app.agentflow.test';
const REDIRECT_URI = `${APP_URL}/api/v1/auth/sso/callback`;
let app: App;
let logs: LogCapture;
let fake: FakeWorkos;
let seq = 0;

beforeAll(async () => {
  await shared.setup();
  fake = await startFakeWorkos();
  ({ app, logs } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: {
      appUrl: APP_URL,
      ssoRedirectUri: REDIRECT_URI,
      workos: { apiKey: fake.apiKey, clientId: fake.clientId, apiUrl: fake.url },
    },
  }));
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await shared.teardown();
});

const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

/** An org (with its owner) whose SSO goes through a fresh WorkOS organization id. */
async function ssoOrg(defaultRole = 'editor') {
  const admin = await createOrgWithOwner(app);
  const workosOrg = unique('org_');
  const res = await configure(admin, { workos_organization_id: workosOrg, default_role: defaultRole });
  expect(res.statusCode, res.body).toBe(200);
  const slug = new URL(res.json().authorize_url).searchParams.get('org')!;
  return { admin, workosOrg, slug };
}

const configure = (who: TestMember | { headers: Record<string, string> }, payload: Record<string, unknown>) =>
  app.inject({ method: 'PUT', url: '/api/v1/org/sso', headers: who.headers, payload });

/** Step 1 in a "browser": the redirect to WorkOS and the state cookie it sets. */
async function authorize(slug: string) {
  const res = await app.inject({ url: `/api/v1/auth/sso/authorize?org=${encodeURIComponent(slug)}` });
  expect(res.statusCode, res.body).toBe(302);
  const location = new URL(String(res.headers.location));
  const cookie = res.cookies.find((c) => c.name === SSO_STATE_COOKIE);
  expect(cookie, 'state cookie').toBeDefined();
  return { res, location, state: location.searchParams.get('state')!, cookie: cookie!.value };
}

/** Step 2: the user signs in at "the IdP" (the fake follows the authorize URL back to our callback). */
async function signInAtIdp(location: URL, profile: FakeProfileInput) {
  fake.loginAs(profile);
  const res = await fetch(location, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
}

const callback = (query: Record<string, string>, cookie?: string) =>
  app.inject({
    url: `/api/v1/auth/sso/callback?${new URLSearchParams(query)}`,
    headers: cookie === undefined ? {} : { cookie: `${SSO_STATE_COOKIE}=${cookie}` },
  });

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().error.code).toBe(code);
}

/** The state cookie is cleared on every callback, success or not. */
function expectStateCookieCleared(res: LightMyRequestResponse) {
  const cleared = res.cookies.find((c) => c.name === SSO_STATE_COOKIE);
  expect(cleared?.value).toBe('');
}

const userByEmail = async (email: string) =>
  (await owner().select().from(users).where(eq(users.email, email)))[0];

describe('SSO sign-in (fake WorkOS)', () => {
  it('happy path: redirect, callback, JIT user + membership with the default role, session; reuses the user', async () => {
    const { admin, workosOrg, slug } = await ssoOrg('editor');
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'sso.configured',
      resourceId: admin.orgId,
      actor: admin,
    });

    const { res, location, state, cookie } = await authorize(slug);
    expect(`${location.origin}${location.pathname}`).toBe(`${fake.url}/sso/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: fake.clientId,
      organization: workosOrg,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      state,
    });
    expect(res.cookies.find((c) => c.name === SSO_STATE_COOKIE)).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/api/v1/auth/sso',
      maxAge: 600,
    });
    expect(state).not.toContain(cookie);

    const email = `${unique('jane')}@acme.test`;
    const profile = {
      email: email.toUpperCase(),
      organization_id: workosOrg,
      first_name: 'Jane',
      last_name: 'Doe',
    };
    const back = await signInAtIdp(location, profile);
    expect(back.state).toBe(state);
    const done = await callback(back, cookie);
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe(`${APP_URL}/`);
    expectStateCookieCleared(done);
    const refresh = done.cookies.find((c) => c.name === 'af_refresh');
    expect(refresh?.value).toBeTruthy();
    expect(String(done.headers.location)).not.toMatch(/token|eyJ/);

    // The code went to WorkOS with our client credentials.
    const exchange = fake.requests.filter((r) => r.path === '/sso/token').at(-1)!;
    expect(exchange.method).toBe('POST');
    expect(exchange.body).toEqual({
      client_id: fake.clientId,
      client_secret: fake.apiKey,
      grant_type: 'authorization_code',
      code: back.code,
    });

    const user = (await userByEmail(email))!;
    expect(user).toMatchObject({
      name: 'Jane Doe',
      authProvider: 'workos',
      authProviderId: fake.complete(profile).id,
      passwordHash: null,
    });
    const [membership] = await owner()
      .select()
      .from(orgMemberships)
      .where(and(eq(orgMemberships.userId, user.id), eq(orgMemberships.orgId, admin.orgId)));
    expect(membership?.role).toBe('editor');
    for (const action of ['member.joined_via_sso', 'auth.sso_login']) {
      const rows = await owner()
        .select()
        .from(auditLogs)
        .where(
          and(eq(auditLogs.orgId, admin.orgId), eq(auditLogs.action, action), eq(auditLogs.userId, user.id)),
        );
      expect(rows, action).toHaveLength(1);
    }

    // The web app turns the cookie into an access token.
    const session = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie: `af_refresh=${refresh!.value}` },
    });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json()).toMatchObject({
      role: 'editor',
      organization: { id: admin.orgId },
      user: { id: user.id },
    });

    // Second sign-in: same user, same membership, a second session.
    const again = await authorize(slug);
    const done2 = await callback(await signInAtIdp(again.location, profile), again.cookie);
    expect(done2.statusCode, done2.body).toBe(302);
    expect(await owner().select().from(users).where(eq(users.email, email))).toHaveLength(1);
    expect(
      await owner().select().from(orgMemberships).where(eq(orgMemberships.userId, user.id)),
    ).toHaveLength(1);
    const families = new Set(
      (await owner().select().from(refreshTokens).where(eq(refreshTokens.userId, user.id))).map(
        (r) => r.familyId,
      ),
    );
    expect(families.size).toBe(2);
    // The code is never logged.
    expect(logs.text).not.toContain(back.code);
    expect(logs.text).not.toContain(refresh!.value);
  });

  it('refuses a tampered state (400 SSO_STATE_INVALID) before calling WorkOS', async () => {
    const { slug, workosOrg } = await ssoOrg();
    const { state, cookie } = await authorize(slug);
    const code = fake.issueCode({ email: `${unique('t')}@acme.test`, organization_id: workosOrg });
    const exchanges = fake.requests.filter((r) => r.path === '/sso/token').length;
    const [header, payload, signature] = state.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, org: crypto.randomUUID() })).toString('base64url');
    for (const bad of [`${header}.${forged}.${signature}`, `${state.slice(0, -2)}xx`, 'garbage']) {
      const res = await callback({ code, state: bad }, cookie);
      expectError(res, 400, 'SSO_STATE_INVALID');
      expectStateCookieCleared(res);
      expect(res.cookies.find((c) => c.name === 'af_refresh')).toBeUndefined();
    }
    // The cookie value is not a state either (distinct audiences).
    expectError(await callback({ code, state: cookie }, cookie), 400, 'SSO_STATE_INVALID');
    expect(fake.requests.filter((r) => r.path === '/sso/token')).toHaveLength(exchanges);
  });

  it("refuses a state from another browser: no cookie, or another flow's cookie (login CSRF)", async () => {
    const { slug, workosOrg } = await ssoOrg();
    const attacker = await authorize(slug);
    const victim = await authorize(slug);
    const back = await signInAtIdp(attacker.location, {
      email: `${unique('evil')}@acme.test`,
      organization_id: workosOrg,
    });
    const noCookie = await callback(back);
    expectError(noCookie, 400, 'SSO_STATE_INVALID');
    expect(noCookie.json().error.details.reason).toBe('missing_cookie');
    const otherCookie = await callback(back, victim.cookie);
    expectError(otherCookie, 400, 'SSO_STATE_INVALID');
    expect(otherCookie.json().error.details.reason).toBe('browser_mismatch');
    expectError(await callback({ code: back.code }, attacker.cookie), 400, 'SSO_STATE_INVALID');
  });

  it('refuses a profile of another WorkOS organization: 403, audited, no user or session', async () => {
    const { admin, slug } = await ssoOrg();
    const { location, cookie } = await authorize(slug);
    const email = `${unique('intruder')}@other.test`;
    const res = await callback(
      await signInAtIdp(location, { email, organization_id: 'org_someoneelse' }),
      cookie,
    );
    expectError(res, 403, 'SSO_ORG_MISMATCH');
    expect(res.cookies.find((c) => c.name === 'af_refresh')).toBeUndefined();
    expect(await userByEmail(email)).toBeUndefined();
    const [failed] = await owner()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, admin.orgId), eq(auditLogs.action, 'auth.sso_failed')));
    expect(failed?.details).toMatchObject({
      reason: 'organization_mismatch',
      email,
      profile_organization_id: 'org_someoneelse',
      actor: { type: 'system' },
    });
    // A profile without any organization (e.g. a plain OAuth connection) is refused the same way.
    const second = await authorize(slug);
    const orgless = await callback(await signInAtIdp(second.location, { email }), second.cookie);
    expectError(orgless, 403, 'SSO_ORG_MISMATCH');
  });

  it('links an existing account only when the IdP verified the email', async () => {
    const { admin, slug, workosOrg } = await ssoOrg('viewer');
    const elsewhere = await createOrgWithOwner(app);
    const existing = await addMember(app, elsewhere.orgId, 'admin', `${unique('bob')}@acme.test`);

    const first = await authorize(slug);
    const refused = await callback(
      await signInAtIdp(first.location, { email: existing.email, organization_id: workosOrg }),
      first.cookie,
    );
    expectError(refused, 409, 'SSO_ACCOUNT_EXISTS');
    expect((await userByEmail(existing.email))?.authProviderId).toBeNull();

    const second = await authorize(slug);
    const verified = {
      email: existing.email,
      organization_id: workosOrg,
      raw_attributes: { email_verified: true },
    };
    const linked = await callback(await signInAtIdp(second.location, verified), second.cookie);
    expect(linked.statusCode, linked.body).toBe(302);
    const user = (await userByEmail(existing.email))!;
    expect(user).toMatchObject({
      id: existing.userId,
      authProvider: 'workos',
      authProviderId: fake.complete(verified).id,
    });
    const memberships = await owner().select().from(orgMemberships).where(eq(orgMemberships.userId, user.id));
    expect(memberships.map((m) => [m.orgId, m.role]).sort()).toEqual(
      [
        [admin.orgId, 'viewer'],
        [elsewhere.orgId, 'admin'],
      ].sort(),
    );
  });

  it('answers a clear error for an org without SSO, an unknown slug, a bad code and an IdP error', async () => {
    const plain = await createOrgWithOwner(app);
    const { slug: plainSlug } = (await app.inject({ url: '/api/v1/org', headers: plain.headers })).json();
    expectError(
      await app.inject({ url: `/api/v1/auth/sso/authorize?org=${plainSlug}` }),
      404,
      'SSO_NOT_CONFIGURED',
    );
    expectError(
      await app.inject({ url: '/api/v1/auth/sso/authorize?org=no-such-org' }),
      404,
      'SSO_NOT_CONFIGURED',
    );
    expectError(await app.inject({ url: '/api/v1/auth/sso/authorize' }), 422, 'VALIDATION_ERROR');

    const { slug } = await ssoOrg();
    const flow = await authorize(slug);
    const badCode = await callback({ code: 'code_unknown', state: flow.state }, flow.cookie);
    expectError(badCode, 400, 'SSO_LOGIN_FAILED');
    expect(badCode.json().error.details).toMatchObject({
      reason: 'code_rejected',
      provider_error: 'invalid_grant',
    });
    const denied = await callback({ error: 'access_denied', state: flow.state }, flow.cookie);
    expectError(denied, 400, 'SSO_LOGIN_FAILED');
    expect(denied.json().error.details.provider_error).toBe('access_denied');
  });
});

describe('SSO errors in a browser (Accept: text/html)', () => {
  const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
  const landing = (res: LightMyRequestResponse) => {
    expect(res.statusCode, res.body).toBe(302);
    const target = new URL(String(res.headers.location));
    expect(`${target.origin}${target.pathname}`).toBe(`${APP_URL}/login/sso`);
    expect(target.searchParams.get('request_id')).toBe(res.headers['x-request-id']);
    return target.searchParams;
  };

  it('redirects to the web app with the error code instead of showing JSON', async () => {
    const notConfigured = landing(
      await app.inject({ url: '/api/v1/auth/sso/authorize?org=no-such-org', headers: html }),
    );
    expect(notConfigured.get('error')).toBe('SSO_NOT_CONFIGURED');
    expect(notConfigured.get('org')).toBe('no-such-org');

    const { slug } = await ssoOrg();
    const flow = await authorize(slug);
    const denied = await app.inject({
      url: `/api/v1/auth/sso/callback?${new URLSearchParams({ error: 'access_denied', state: flow.state })}`,
      headers: { ...html, cookie: `${SSO_STATE_COOKIE}=${flow.cookie}` },
    });
    expect(landing(denied).get('error')).toBe('SSO_LOGIN_FAILED');
    expectStateCookieCleared(denied);
    expect(denied.cookies.find((c) => c.name === 'af_refresh')).toBeUndefined();

    const noCookie = await app.inject({
      url: `/api/v1/auth/sso/callback?${new URLSearchParams({ code: 'code_x', state: flow.state })}`,
      headers: html,
    });
    expect(landing(noCookie).get('error')).toBe('SSO_STATE_INVALID');
  });

  it('still signs a browser in and sends it to the app on success', async () => {
    const { slug, workosOrg } = await ssoOrg();
    const flow = await authorize(slug);
    const { code, state } = await signInAtIdp(flow.location, {
      email: `${unique('html')}@acme.test`,
      organization_id: workosOrg,
    });
    const res = await app.inject({
      url: `/api/v1/auth/sso/callback?${new URLSearchParams({ code, state })}`,
      headers: { ...html, cookie: `${SSO_STATE_COOKIE}=${flow.cookie}` },
    });
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe(`${APP_URL}/`);
    expect(res.cookies.find((c) => c.name === 'af_refresh')?.value).toBeTruthy();
  });
});

describe('SSO configuration (PUT/GET/DELETE /org/sso)', () => {
  it('owner/admin configure it; viewers and API keys cannot; owner is never a default role', async () => {
    const admin = await createOrgWithOwner(app);
    const viewer = await addMember(app, admin.orgId, 'viewer');
    const key = await createApiKey(app, admin.orgId, ['agents:read', 'agents:write']);
    const body = {
      workos_organization_id: unique('org_'),
      connection_id: 'conn_01ABC',
      default_role: 'viewer',
    };

    const before = await app.inject({ url: '/api/v1/org/sso', headers: admin.headers });
    expect(before.json()).toMatchObject({
      configured: false,
      workos_organization_id: null,
      authorize_url: null,
    });
    expectError(await configure(viewer, body), 403, 'FORBIDDEN');
    expectError(await app.inject({ url: '/api/v1/org/sso', headers: viewer.headers }), 403, 'FORBIDDEN');
    expectError(await configure(key, body), 403, 'FORBIDDEN');
    const owned = await configure(admin, { ...body, default_role: 'owner' });
    expectError(owned, 422, 'VALIDATION_ERROR');
    expect(owned.json().error.details.fields[0].path).toBe('body.default_role');
    expectError(await configure(admin, { ...body, workos_organization_id: 'acme' }), 422, 'VALIDATION_ERROR');

    const ok = await configure(admin, body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ configured: true, ...body, enforce: false });
    expect(ok.json().authorize_url).toMatch(`${APP_URL}/api/v1/auth/sso/authorize?org=`);
    // A pinned connection is what the authorize URL names.
    const { slug } = (await app.inject({ url: '/api/v1/org', headers: admin.headers })).json();
    expect((await authorize(slug)).location.searchParams.get('connection')).toBe('conn_01ABC');

    // One WorkOS organization serves one org.
    const other = await createOrgWithOwner(app);
    expectError(await configure(other, body), 409, 'CONFLICT');

    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/org/sso', headers: admin.headers });
    expect(removed.statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'sso.removed',
      resourceId: admin.orgId,
      actor: admin,
    });
    expect((await app.inject({ url: '/api/v1/org/sso', headers: admin.headers })).json().configured).toBe(
      false,
    );
    expectError(
      await app.inject({ url: `/api/v1/auth/sso/authorize?org=${slug}` }),
      404,
      'SSO_NOT_CONFIGURED',
    );
  });

  it('SSO settings cannot be written another way (PUT /org), so nothing bypasses these checks', async () => {
    const admin = await createOrgWithOwner(app);
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/org',
      headers: admin.headers,
      payload: { settings: { sso: { workos_organization_id: unique('org_'), default_role: 'owner' } } },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.details.fields[0].path).toBe('body.settings');
    expect((await app.inject({ url: '/api/v1/org/sso', headers: admin.headers })).json().configured).toBe(
      false,
    );
  });
});

describe('SSO on an instance without WorkOS credentials', () => {
  it('answers 503 instead of redirecting anywhere', async () => {
    const { app: bare } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) });
    try {
      const res = await bare.inject({ url: '/api/v1/auth/sso/authorize?org=acme' });
      expectError(res, 503, 'SERVICE_UNAVAILABLE');
      expect(res.json().error.details.reason).toBe('workos_not_configured');
      // A browser is sent to the web app's explanation (the default APP_URL here).
      const browser = await bare.inject({
        url: '/api/v1/auth/sso/authorize?org=acme',
        headers: { accept: 'text/html' },
      });
      expect(browser.statusCode).toBe(302);
      const target = new URL(String(browser.headers.location));
      expect(target.pathname).toBe('/login/sso');
      expect(target.searchParams.get('error')).toBe('SERVICE_UNAVAILABLE');
      expect(target.searchParams.get('org')).toBe('acme');
    } finally {
      await bare.close();
    }
  });
});
