import { APP_ROLE } from '@agentflow/db';
import { auditLogs } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { addMember, createApiKey, createUserWithOrg, type TestUser } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { leakForms, makeInstanceAdmin } from './test-helpers';

// Models CRUD, org vs global visibility, the instance-admin rule, the re-enter-the-key rule, the SSRF
// check on org endpoints and permissions. Every response body is kept to prove no key ever leaves.

const shared = sharedTestDatabase();
let app: App;
let logs: LogCapture;
let ownerA: TestUser;
let ownerB: TestUser;
let admin: TestUser;
const bodies: string[] = [];
const KEY_A = 'sk-proj-orgA0123456789abcdefSECRET';
const KEY_GLOBAL = 'sk-global-0123456789abcdefSECRETg';
const KEY_NEW = 'sk-proj-rotated-0123456789abcdefNEW';

beforeAll(async () => {
  await shared.setup();
  ({ app, logs } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
  ownerA = await createUserWithOrg(app, { orgName: 'Models A' });
  ownerB = await createUserWithOrg(app, { orgName: 'Models B' });
  admin = await createUserWithOrg(app, { orgName: 'Operators' });
  await makeInstanceAdmin(shared.get().db, admin.user.id);
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

async function call(
  who: { headers: Record<string, string> },
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) {
  const res = await app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  bodies.push(res.body);
  return res;
}

const openAiModel = (extra: Record<string, unknown> = {}) => ({
  name: `GPT ${Math.random().toString(36).slice(2, 8)}`,
  provider: 'openai',
  model_identifier: 'gpt-4o-mini',
  api_key: KEY_A,
  params: { temperature: 0.2, max_tokens: 500 },
  ...extra,
});

describe('models CRUD', () => {
  it('creates, reads, lists, updates and deletes an org model, returning only a hint', async () => {
    const created = await call(ownerA, 'POST', '/api/v1/models', openAiModel());
    expect(created.statusCode, created.body).toBe(201);
    const model = created.json();
    expect(model).toMatchObject({
      scope: 'org',
      provider: 'openai',
      model_identifier: 'gpt-4o-mini',
      has_api_key: true,
      api_key_hint: 'sk-…CRET',
      endpoint_url: null,
      params: { temperature: 0.2, max_tokens: 500 },
      is_active: true,
    });
    expect(Object.keys(model)).not.toContain('api_key');

    const got = await call(ownerA, 'GET', `/api/v1/models/${model.id}`);
    expect(got.json()).toEqual(model);
    const list = await call(ownerA, 'GET', '/api/v1/models?scope=org');
    expect(list.json().data.map((m: { id: string }) => m.id)).toContain(model.id);

    const updated = await call(ownerA, 'PUT', `/api/v1/models/${model.id}`, {
      name: 'Renamed',
      is_active: false,
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Renamed', is_active: false, api_key_hint: 'sk-…CRET' });

    const rotated = await call(ownerA, 'PUT', `/api/v1/models/${model.id}`, { api_key: KEY_NEW });
    expect(rotated.json()).toMatchObject({ has_api_key: true, api_key_hint: 'sk-…fNEW' });
    const removed = await call(ownerA, 'PUT', `/api/v1/models/${model.id}`, { api_key: null });
    expect(removed.json()).toMatchObject({ has_api_key: false, api_key_hint: null });

    expect((await call(ownerA, 'DELETE', `/api/v1/models/${model.id}`)).statusCode).toBe(204);
    const gone = await call(ownerA, 'GET', `/api/v1/models/${model.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('MODEL_NOT_FOUND');

    // Every mutation is audited, never with the key.
    const audit = await shared.get().db.select().from(auditLogs).where(eq(auditLogs.resourceId, model.id));
    expect(audit.map((row) => row.action).sort()).toEqual([
      'model.created',
      'model.deleted',
      'model.updated',
      'model.updated',
      'model.updated',
    ]);
    expect(audit.find((row) => row.action === 'model.created')?.details).toMatchObject({ has_api_key: true });
    const trail = JSON.stringify(audit);
    for (const key of [KEY_A, KEY_NEW]) expect(trail).not.toContain(key);
    expect(trail).toContain('"api_key":"replaced"');
  });

  it('validates the body: provider, URL, params, endpoint-less self-hosted providers, duplicate names', async () => {
    const bad = async (payload: Record<string, unknown>, path: string) => {
      const res = await call(ownerA, 'POST', '/api/v1/models', payload);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    };
    await bad(openAiModel({ provider: 'google_vertex' }), 'body.provider');
    await bad(openAiModel({ endpoint_url: 'ftp://x.example/v1' }), 'body.endpoint_url');
    await bad(openAiModel({ endpoint_url: 'https://user:pw@x.example/v1' }), 'body.endpoint_url');
    await bad(openAiModel({ params: { temperature: 5 } }), 'body.params.temperature');
    await bad(openAiModel({ provider: 'azure_openai' }), 'body.endpoint_url');
    const name = `Dup ${Math.random()}`;
    expect((await call(ownerA, 'POST', '/api/v1/models', openAiModel({ name }))).statusCode).toBe(201);
    const dup = await call(ownerA, 'POST', '/api/v1/models', openAiModel({ name }));
    expect(dup.statusCode).toBe(409);
  });

  it('refuses an org endpoint on an internal address (SSRF), naming endpoint_url', async () => {
    for (const endpoint_url of [
      'http://169.254.169.254/v1',
      'http://10.1.2.3:8000/v1',
      'http://[::1]:11434/v1',
    ]) {
      const res = await call(
        ownerA,
        'POST',
        '/api/v1/models',
        openAiModel({ provider: 'openai_compatible', endpoint_url }),
      );
      expect(res.statusCode, endpoint_url).toBe(422);
      expect(res.json().error.details.fields[0]).toMatchObject({
        path: 'body.endpoint_url',
        code: 'endpoint_not_allowed',
      });
    }
    // Ollama without an endpoint means this server's own 127.0.0.1:11434: refused the same way.
    const ollama = await call(ownerA, 'POST', '/api/v1/models', {
      name: 'local',
      provider: 'ollama',
      model_identifier: 'llama3',
    });
    expect(ollama.statusCode).toBe(422);
  });

  it('changing provider or endpoint_url without api_key again is a 422 naming api_key', async () => {
    const model = (await call(ownerA, 'POST', '/api/v1/models', openAiModel())).json();
    for (const change of [{ provider: 'anthropic' }, { endpoint_url: 'https://attacker.example/v1' }]) {
      const res = await call(ownerA, 'PUT', `/api/v1/models/${model.id}`, change);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.details.fields).toEqual([
        expect.objectContaining({ path: 'body.api_key', code: 'api_key_required' }),
      ]);
    }
    const withKey = await call(ownerA, 'PUT', `/api/v1/models/${model.id}`, {
      provider: 'anthropic',
      model_identifier: 'claude-sonnet-4-6',
      api_key: KEY_NEW,
    });
    expect(withKey.statusCode, withKey.body).toBe(200);
    expect(withKey.json()).toMatchObject({ provider: 'anthropic', api_key_hint: 'sk-…fNEW' });
  });
});

describe('org and global models', () => {
  it("org B never sees org A's model; global models are visible to every org", async () => {
    const own = (await call(ownerA, 'POST', '/api/v1/models', openAiModel())).json();
    const global = await call(
      admin,
      'POST',
      '/api/v1/models',
      openAiModel({ scope: 'global', api_key: KEY_GLOBAL }),
    );
    expect(global.statusCode, global.body).toBe(201);
    expect(global.json()).toMatchObject({ scope: 'global', has_api_key: true, api_key_hint: 'sk-…RETg' });

    const listB = (await call(ownerB, 'GET', '/api/v1/models?limit=100')).json();
    const idsB = listB.data.map((m: { id: string }) => m.id);
    expect(idsB).toContain(global.json().id);
    expect(idsB).not.toContain(own.id);
    expect(listB.data.find((m: { id: string }) => m.id === global.json().id).scope).toBe('global');
    expect((await call(ownerB, 'GET', `/api/v1/models/${own.id}`)).statusCode).toBe(404);
    expect((await call(ownerB, 'GET', `/api/v1/models/${global.json().id}`)).statusCode).toBe(200);
    const onlyGlobal = (await call(ownerA, 'GET', '/api/v1/models?scope=global&limit=100')).json();
    expect(onlyGlobal.data.every((m: { scope: string }) => m.scope === 'global')).toBe(true);
  });

  it('only an instance admin creates, changes or deletes a global model (403 otherwise)', async () => {
    const denied = await call(ownerA, 'POST', '/api/v1/models', openAiModel({ scope: 'global' }));
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.reason).toBe('instance_admin_required');

    const global = (await call(admin, 'POST', '/api/v1/models', openAiModel({ scope: 'global' }))).json();
    expect((await call(ownerA, 'PUT', `/api/v1/models/${global.id}`, { name: 'mine now' })).statusCode).toBe(
      403,
    );
    expect((await call(ownerA, 'DELETE', `/api/v1/models/${global.id}`)).statusCode).toBe(403);
    expect(
      (await call(admin, 'PUT', `/api/v1/models/${global.id}`, { name: `Global ${Math.random()}` }))
        .statusCode,
    ).toBe(200);
    expect((await call(admin, 'DELETE', `/api/v1/models/${global.id}`)).statusCode).toBe(204);
    expect((await call(ownerB, 'GET', `/api/v1/models/${global.id}`)).statusCode).toBe(404);
  });

  it('paginates with a cursor', async () => {
    const org = await createUserWithOrg(app);
    for (let i = 0; i < 3; i++) await call(org, 'POST', '/api/v1/models', openAiModel());
    const first = (await call(org, 'GET', '/api/v1/models?scope=org&limit=2')).json();
    expect(first.data).toHaveLength(2);
    const second = (
      await call(org, 'GET', `/api/v1/models?scope=org&limit=2&cursor=${first.next_cursor}`)
    ).json();
    expect(second.data).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
  });
});

describe('permissions', () => {
  it('members read models; only owner/admin (never an API key) change them', async () => {
    const viewer = await addMember(app, ownerA.org.id, 'viewer');
    const editor = await addMember(app, ownerA.org.id, 'editor');
    const adminMember = await addMember(app, ownerA.org.id, 'admin');
    expect((await call(viewer, 'GET', '/api/v1/models')).statusCode).toBe(200);
    expect((await call(viewer, 'POST', '/api/v1/models', openAiModel())).statusCode).toBe(403);
    expect((await call(editor, 'POST', '/api/v1/models', openAiModel())).statusCode).toBe(403);
    expect((await call(adminMember, 'POST', '/api/v1/models', openAiModel())).statusCode).toBe(201);

    const key = await createApiKey(app, ownerA.org.id, ['agents:read', 'agents:write']);
    expect((await call(key, 'GET', '/api/v1/models')).statusCode).toBe(200);
    const post = await call(key, 'POST', '/api/v1/models', openAiModel());
    expect(post.statusCode).toBe(403);
    const noScope = await createApiKey(app, ownerA.org.id, ['executions:read']);
    expect((await call(noScope, 'GET', '/api/v1/models')).statusCode).toBe(403);
  });
});

describe('secrecy', () => {
  it('no response body and no log line of this suite holds a key', () => {
    const everything = `${bodies.join('\n')}\n${logs.text}`;
    expect(bodies.length).toBeGreaterThan(20);
    for (const key of [KEY_A, KEY_GLOBAL, KEY_NEW]) {
      for (const form of leakForms(key)) expect(everything).not.toContain(form);
    }
  });
});
