import { APP_ROLE } from '@agentflow/db';
import { auditLogs } from '@agentflow/db/schema';
import { createCredentialResolver, resolveCredential, type ServiceContext } from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { addMember, createApiKey, createUserWithOrg, type TestUser } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { leakForms, sqlDump } from '../models/test-helpers';

const shared = sharedTestDatabase();
let app: App;
let logs: LogCapture;
let owner: TestUser;
const bodies: string[] = [];
const TOKEN = 'ghp_integrationBearerToken0123456789XYZ';
const PASSWORD = 'basic-auth-password-0123456789-PWD';
const HEADER_VALUE = 'header-value-secret-0123456789-HDR';

beforeAll(async () => {
  await shared.setup();
  ({ app, logs } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
  owner = await createUserWithOrg(app);
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

async function call(
  who: { headers: Record<string, string> },
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) {
  const res = await app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  bodies.push(res.body);
  return res;
}

const ctxOf = (user: TestUser): ServiceContext => ({
  db: app.authDeps.db,
  orgId: user.org.id,
  actor: { type: 'system', reason: 'integrations test' },
});

describe('integrations', () => {
  it('lists the available providers', async () => {
    const res = await call(owner, 'GET', '/api/v1/integrations/available');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((p: { provider: string }) => p.provider)).toEqual([
      'http_bearer',
      'http_basic',
      'http_header',
      'openai',
      'anthropic',
    ]);
  });

  it('stores credentials sealed, lists hints only, resolves them for the engine, deletes them', async () => {
    const bearer = await call(owner, 'POST', '/api/v1/integrations', {
      provider: 'http_bearer',
      name: 'GitHub',
      credentials: { token: TOKEN },
    });
    expect(bearer.statusCode, bearer.body).toBe(201);
    expect(bearer.json()).toMatchObject({
      provider: 'http_bearer',
      name: 'GitHub',
      status: 'connected',
      credentials_hint: 'ghp_…9XYZ',
      connected_by: owner.user.id,
    });
    const basic = (
      await call(owner, 'POST', '/api/v1/integrations', {
        provider: 'http_basic',
        name: 'Legacy',
        credentials: { username: 'bot', password: PASSWORD },
      })
    ).json();
    const header = (
      await call(owner, 'POST', '/api/v1/integrations', {
        provider: 'http_header',
        name: 'Custom',
        credentials: { header_name: 'X-Api-Key', value: HEADER_VALUE },
      })
    ).json();

    const list = (await call(owner, 'GET', '/api/v1/integrations')).json();
    expect(list.data.map((i: { id: string }) => i.id)).toEqual([header.id, basic.id, bearer.json().id]);

    const resolved = await resolveCredential(ctxOf(owner), app.keyring, bearer.json().id);
    expect(resolved).toEqual({
      id: bearer.json().id,
      provider: 'http_bearer',
      name: 'GitHub',
      credentials: { token: TOKEN },
    });
    const resolver = createCredentialResolver(ctxOf(owner), app.keyring);
    const signal = new AbortController().signal;
    expect(await resolver.httpHeaders(bearer.json().id, signal)).toEqual({
      authorization: `Bearer ${TOKEN}`,
    });
    expect(await resolver.httpHeaders(basic.id, signal)).toEqual({
      authorization: `Basic ${Buffer.from(`bot:${PASSWORD}`).toString('base64')}`,
    });
    expect(await resolver.httpHeaders(header.id, signal)).toEqual({ 'x-api-key': HEADER_VALUE });

    // Another org cannot resolve it: the same not-found as for a random id.
    const other = await createUserWithOrg(app);
    await expect(resolveCredential(ctxOf(other), app.keyring, basic.id)).rejects.toMatchObject({
      code: 'INTEGRATION_NOT_FOUND',
    });

    expect((await call(owner, 'DELETE', `/api/v1/integrations/${basic.id}`)).statusCode).toBe(204);
    expect((await call(owner, 'DELETE', `/api/v1/integrations/${basic.id}`)).statusCode).toBe(404);
    const actions = await shared.get().db.select().from(auditLogs).where(eq(auditLogs.resourceId, basic.id));
    expect(actions.map((a) => a.action).sort()).toEqual([
      'integration.connected',
      'integration.disconnected',
    ]);
    expect(JSON.stringify(actions)).not.toContain(PASSWORD);
  });

  it('validates credentials per provider (422 naming the field)', async () => {
    const bad = async (payload: Record<string, unknown>, path: string) => {
      const res = await call(owner, 'POST', '/api/v1/integrations', payload);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    };
    await bad({ provider: 'http_bearer', name: 'x', credentials: {} }, 'body.credentials.token');
    await bad(
      { provider: 'http_header', name: 'x', credentials: { header_name: 'bad header', value: 'v' } },
      'body.credentials.header_name',
    );
    await bad({ provider: 'slack', name: 'x', credentials: { token: 't' } }, 'body.provider');
  });

  it('members list; only owner/admin create or delete; API keys get neither', async () => {
    const viewer = await addMember(app, owner.org.id, 'viewer');
    expect((await call(viewer, 'GET', '/api/v1/integrations')).statusCode).toBe(200);
    const denied = await call(viewer, 'POST', '/api/v1/integrations', {
      provider: 'http_bearer',
      name: 'nope',
      credentials: { token: TOKEN },
    });
    expect(denied.statusCode).toBe(403);
    const key = await createApiKey(app, owner.org.id, ['agents:read', 'agents:write']);
    expect((await call(key, 'GET', '/api/v1/integrations')).statusCode).toBe(403);
  });

  it('no secret in any response, log line or the database dump', async () => {
    const dump = await sqlDump(shared.get().db);
    const everything = `${bodies.join('\n')}\n${logs.text}\n${dump}`;
    for (const secret of [TOKEN, PASSWORD, HEADER_VALUE]) {
      for (const form of leakForms(secret)) expect(everything).not.toContain(form);
    }
  });
});
