import { APP_ROLE } from '@agentflow/db';
import { llmModels } from '@agentflow/db/schema';
import {
  type FakeAnthropic,
  type FakeOpenAi,
  startFakeAnthropic,
  startFakeOpenAi,
} from '@agentflow/engine/testing';
import { buildOrgLlmRouter, type ServiceContext } from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createUserWithOrg, type TestUser } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { leakForms, makeInstanceAdmin, sqlDump } from './test-helpers';

// Test connection and the org router against the engine's fake OpenAI / Anthropic servers, and the
// acceptance line: a stored key is unreadable in a database dump and in no response body or log line.

const shared = sharedTestDatabase();
let app: App;
let logs: LogCapture;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let owner: TestUser;
const bodies: string[] = [];
const OPENAI_KEY = 'sk-proj-fakeOpenAiKey0123456789SECRET';
const ANTHROPIC_KEY = 'sk-ant-api03-fakeAnthropic0123456789SECRET';
const WRONG_KEY = 'sk-proj-wrongKey0123456789abcdefWRONG';

beforeAll(async () => {
  await shared.setup();
  [openai, anthropic] = await Promise.all([
    startFakeOpenAi({ apiKey: OPENAI_KEY }),
    startFakeAnthropic({ apiKey: ANTHROPIC_KEY }),
  ]);
  // The fakes listen on 127.0.0.1, which the SSRF guard refuses unless the operator allows it.
  ({ app, logs } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: { llmEndpointPolicy: { allowHosts: [], allowCidrs: ['127.0.0.1/32'] } },
  }));
  owner = await createUserWithOrg(app);
});
afterAll(async () => {
  await app?.close();
  await Promise.all([openai?.close(), anthropic?.close()]);
  await shared.teardown();
});

async function call(
  who: TestUser,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: Record<string, unknown>,
) {
  const res = await app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  bodies.push(res.body);
  return res;
}

async function createModel(who: TestUser, body: Record<string, unknown>): Promise<string> {
  const res = await call(who, 'POST', '/api/v1/models', { name: `M ${Math.random()}`, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

const fakeOpenAiModel = (api_key = OPENAI_KEY) => ({
  provider: 'openai',
  model_identifier: 'gpt-4o-mini',
  endpoint_url: openai.url,
  api_key,
});

const ctxOf = (user: TestUser): ServiceContext => ({
  db: app.authDeps.db,
  orgId: user.org.id,
  actor: { type: 'system', reason: 'models test' },
});

describe('POST /models/:id/test', () => {
  it('reports ok and latency for OpenAI, Anthropic and echo models', async () => {
    const ids = [
      await createModel(owner, fakeOpenAiModel()),
      await createModel(owner, {
        provider: 'anthropic',
        model_identifier: 'claude-sonnet-4-6',
        endpoint_url: anthropic.url,
        api_key: ANTHROPIC_KEY,
      }),
      await createModel(owner, { provider: 'echo', model_identifier: 'echo' }),
    ];
    for (const id of ids) {
      const res = await call(owner, 'POST', `/api/v1/models/${id}/test`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true, latency_ms: expect.any(Number) });
    }
    // Both fakes answer 401 unless they get their key: ok means the decrypted key was sent.
  });

  it('a rejected key is ok: false with a message that does not contain the key', async () => {
    const id = await createModel(owner, fakeOpenAiModel(WRONG_KEY));
    const res = await call(owner, 'POST', `/api/v1/models/${id}/test`);
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/authentication failed \(HTTP 401\)/);
    // The fake echoes the whole key it received, as real providers echo part of it.
    expect(openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${WRONG_KEY}`);
    for (const form of leakForms(WRONG_KEY)) expect(result.error).not.toContain(form);
  });

  it('tests a global model from any org (its endpoint is the operator’s, not SSRF-checked)', async () => {
    const admin = await createUserWithOrg(app);
    await makeInstanceAdmin(shared.get().db, admin.user.id);
    const id = await createModel(admin, { ...fakeOpenAiModel(), scope: 'global' });
    const res = await call(owner, 'POST', `/api/v1/models/${id}/test`);
    expect(res.json()).toMatchObject({ ok: true });
    // Global models must not leak into later router assertions of other orgs: deactivate it.
    expect((await call(admin, 'PUT', `/api/v1/models/${id}`, { is_active: false })).statusCode).toBe(200);
  });

  it('a key that does not open (copied onto another row) is a 500 INTERNAL_ERROR, logged with ids only', async () => {
    const source = await createModel(owner, fakeOpenAiModel());
    const target = await createModel(owner, fakeOpenAiModel());
    const ownerDb = shared.get().db;
    const [row] = await ownerDb
      .select({ envelope: llmModels.apiKeyEncrypted })
      .from(llmModels)
      .where(eq(llmModels.id, source));
    await ownerDb.update(llmModels).set({ apiKeyEncrypted: row!.envelope }).where(eq(llmModels.id, target));
    logs.clear();
    const res = await call(owner, 'POST', `/api/v1/models/${target}/test`);
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL_ERROR');
    expect(logs.text).toContain('Secret could not be decrypted: authentication failed');
    expect(logs.text).not.toContain(row!.envelope!);
    await ownerDb.delete(llmModels).where(eq(llmModels.id, target));
  });
});

describe('buildOrgLlmRouter', () => {
  it('routes a chat to the org model with its decrypted key; echo is there but never the default', async () => {
    const org = await createUserWithOrg(app);
    const echoId = await createModel(org, { provider: 'echo', model_identifier: 'echo' });
    const realId = await createModel(org, fakeOpenAiModel());
    const router = await buildOrgLlmRouter(ctxOf(org), app.keyring);
    expect(router.defaultModel()).toBe(realId);

    openai.reset();
    const answer = await router.chat({ messages: [{ role: 'user', content: 'hello router' }] });
    expect(answer.content).toBe('[fake] hello router');
    expect(openai.requests).toHaveLength(1);
    expect(openai.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    // The model's stored params are defaults for requests that set none.
    expect(await router.chat({ model: echoId, messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({
      provider: 'echo',
    });
    expect(
      await router.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'by id' }] }),
    ).toMatchObject({
      content: '[fake] by id',
    });
  });

  it('follows the org setting llm_fallback_order, and an org with no model gets echo', async () => {
    const org = await createUserWithOrg(app);
    const first = await createModel(org, fakeOpenAiModel());
    const second = await createModel(org, { ...fakeOpenAiModel(), model_identifier: 'gpt-4.1-mini' });
    expect((await buildOrgLlmRouter(ctxOf(org), app.keyring)).defaultModel()).toBe(first);
    const put = await call(org, 'PUT', '/api/v1/org', { settings: { llm_fallback_order: [second, first] } });
    expect(put.statusCode, put.body).toBe(200);
    expect((await buildOrgLlmRouter(ctxOf(org), app.keyring)).defaultModel()).toBe(second);

    const empty = await createUserWithOrg(app);
    const echoOnly = await buildOrgLlmRouter(ctxOf(empty), app.keyring);
    expect(echoOnly.defaultModel()).toBe('echo');
    expect((await echoOnly.chat({ messages: [{ role: 'user', content: 'x' }] })).content).toContain('[echo]');
  });

  it('with an endpoint policy, calls to an internal address are refused at request time', async () => {
    const org = await createUserWithOrg(app);
    await createModel(org, fakeOpenAiModel());
    openai.reset();
    const router = await buildOrgLlmRouter(ctxOf(org), app.keyring, { endpointPolicy: {} });
    await expect(router.chat({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    expect(openai.requests).toHaveLength(0);
  });
});

describe('secrecy (issue 4 acceptance)', () => {
  it('the database dump holds no key in any encoding', async () => {
    const dump = await sqlDump(shared.get().db);
    expect(dump).toContain('llm_models');
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY, WRONG_KEY]) {
      for (const form of leakForms(key)) expect(dump).not.toContain(form);
    }
  });

  it('no response body and no log line holds a key', () => {
    const everything = `${bodies.join('\n')}\n${logs.text}`;
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY, WRONG_KEY]) {
      for (const form of leakForms(key)) expect(everything).not.toContain(form);
    }
  });
});
