import { APP_ROLE } from '@agentflow/db';
import { executions, webhookDeliveries, webhookEndpoints } from '@agentflow/db/schema';
import { waitForExecution } from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller } from '../agents/test-fixtures';
import { createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import { createHookAgent, deliver, deliveryId, hookFootprint, waitForStatus } from './test-fixtures';

const shared = sharedTestDatabase();
const maxBodyBytes = 16 * 1024;
let app: App;
let owner: TestMember;
const call = caller(() => app);
const ownerDb = () => shared.get().db;

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: { webhooks: { syncTimeoutMs: 10_000, maxBodyBytes } },
  }));
  owner = await createOrgWithOwner(app);
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

describe('POST /hooks/:hookId (signed, async)', () => {
  it('starts an execution: 202, then it completes with the body, safe headers, query and method', async () => {
    const hook = await createHookAgent(app, owner);
    const id = deliveryId();
    const res = await deliver(app, hook.path, '{"amount":120,"items":["a","b"]}', {
      secret: hook.secret,
      id,
      query: 'source=test&tag=a&tag=b',
      headers: {
        'user-agent': 'acme-sender/2.0',
        authorization: 'Bearer must-not-be-copied',
        cookie: 'session=secret',
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json();
    expect(body).toEqual({ execution_id: expect.any(String), status: 'pending', duplicate: false });
    expect(res.headers['x-agentflow-execution-id']).toBe(body.execution_id);

    const execution = await waitForStatus(app, owner, body.execution_id, ['completed', 'failed']);
    expect(execution).toMatchObject({
      status: 'completed',
      triggered_by: 'webhook',
      triggered_by_user_id: null,
    });
    expect(execution.trigger_data).toEqual({
      body: { amount: 120, items: ['a', 'b'] },
      headers: { 'content-type': 'application/json', 'user-agent': 'acme-sender/2.0', 'webhook-id': id },
      query: { source: 'test', tag: ['a', 'b'] },
      method: 'POST',
    });
    expect(execution.output).toMatchObject({
      body: { received: { amount: 120, items: ['a', 'b'] }, method: 'POST' },
    });
    const footprint = await hookFootprint(ownerDb(), hook);
    expect(footprint.executions).toBe(1);
    expect(footprint.lastTriggeredAt).toBeInstanceOf(Date);
    const view = (await call(owner, 'GET', `/api/v1/agents/${hook.agentId}/webhook`)).json();
    expect(view.last_triggered_at).not.toBeNull();
  });

  it('a replayed webhook-id returns the first execution with duplicate: true, never a second one', async () => {
    const hook = await createHookAgent(app, owner);
    const id = deliveryId();
    const timestamp = Math.floor(Date.now() / 1000);
    const payload = '{"order":42}';
    const first = await deliver(app, hook.path, payload, { secret: hook.secret, id, timestamp });
    expect(first.statusCode, first.body).toBe(202);
    const executionId = first.json().execution_id;
    await waitForStatus(app, owner, executionId, ['completed']);

    // The exact same request again (a replay), then a sender retry: same id, new timestamp.
    const replay = await deliver(app, hook.path, payload, { secret: hook.secret, id, timestamp });
    expect(replay.statusCode, replay.body).toBe(202);
    expect(replay.json()).toEqual({ execution_id: executionId, status: 'completed', duplicate: true });
    const retry = await deliver(app, hook.path, payload, {
      secret: hook.secret,
      id,
      timestamp: timestamp + 30,
    });
    expect(retry.json()).toEqual({ execution_id: executionId, status: 'completed', duplicate: true });

    // Two copies of a new delivery at once: one execution, one of them flagged duplicate.
    const racingId = deliveryId();
    const racing = await Promise.all(
      [0, 1, 2].map(() => deliver(app, hook.path, '{"order":43}', { secret: hook.secret, id: racingId })),
    );
    expect(racing.map((r) => r.statusCode)).toEqual([202, 202, 202]);
    const ids = new Set(racing.map((r) => r.json().execution_id));
    expect(ids.size).toBe(1);
    expect(racing.filter((r) => r.json().duplicate === false)).toHaveLength(1);

    const rows = await ownerDb().select().from(executions).where(eq(executions.agentId, hook.agentId));
    expect(rows).toHaveLength(2);
    const deliveries = await ownerDb()
      .select({ deliveryId: webhookDeliveries.deliveryId, executionId: webhookDeliveries.executionId })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(eq(webhookEndpoints.hookId, hook.hookId));
    expect(deliveries.sort((a, b) => a.deliveryId.localeCompare(b.deliveryId))).toEqual(
      [
        { deliveryId: id, executionId },
        { deliveryId: racingId, executionId: [...ids][0] },
      ].sort((a, b) => a.deliveryId.localeCompare(b.deliveryId)),
    );
    await waitForStatus(app, owner, [...ids][0] as string, ['completed']);
  });

  it('after the delivery row expired, a late retry still lands on the first execution', async () => {
    const hook = await createHookAgent(app, owner);
    const id = deliveryId();
    const first = await deliver(app, hook.path, '{}', { secret: hook.secret, id });
    const executionId = first.json().execution_id;
    await waitForStatus(app, owner, executionId, ['completed']);
    await ownerDb()
      .update(webhookDeliveries)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(webhookDeliveries.deliveryId, id));
    const late = await deliver(app, hook.path, '{}', { secret: hook.secret, id });
    expect(late.json()).toEqual({ execution_id: executionId, status: 'completed', duplicate: true });
    expect((await hookFootprint(ownerDb(), hook)).executions).toBe(1);
    // The expired row was cleaned up and replaced by the new one.
    const rows = await ownerDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses forged, stale, future, unsigned, oversized and unknown deliveries with their codes, writing nothing', async () => {
    const hook = await createHookAgent(app, owner);
    const now = Math.floor(Date.now() / 1000);
    const body = '{"amount":1}';
    const cases: Array<{
      name: string;
      res: () => ReturnType<typeof deliver>;
      status: number;
      code: string;
    }> = [
      {
        name: 'signed with another secret',
        res: () => deliver(app, hook.path, body, { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
        status: 401,
        code: 'WEBHOOK_SIGNATURE_INVALID',
      },
      {
        name: 'body changed after signing',
        res: async () => {
          const signed = { secret: hook.secret, id: deliveryId(), timestamp: now };
          const headers = await signedHeaders(hook.secret, signed.id, now, body);
          return deliver(app, hook.path, '{"amount":1000}', { headers });
        },
        status: 401,
        code: 'WEBHOOK_SIGNATURE_INVALID',
      },
      {
        name: 'timestamp 6 minutes old',
        res: () => deliver(app, hook.path, body, { secret: hook.secret, timestamp: now - 360 }),
        status: 401,
        code: 'WEBHOOK_TIMESTAMP_INVALID',
      },
      {
        name: 'timestamp 6 minutes ahead',
        res: () => deliver(app, hook.path, body, { secret: hook.secret, timestamp: now + 360 }),
        status: 401,
        code: 'WEBHOOK_TIMESTAMP_INVALID',
      },
      {
        name: 'no signature headers',
        res: () => deliver(app, hook.path, body),
        status: 400,
        code: 'WEBHOOK_HEADERS_MISSING',
      },
      {
        name: 'only the token header (signed mode)',
        res: () => deliver(app, hook.path, body, { headers: { 'x-agentflow-webhook-token': hook.secret } }),
        status: 400,
        code: 'WEBHOOK_HEADERS_MISSING',
      },
      {
        name: 'body over WEBHOOK_MAX_BODY_BYTES',
        res: () =>
          deliver(app, hook.path, JSON.stringify({ pad: 'x'.repeat(maxBodyBytes) }), { secret: hook.secret }),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
      {
        name: 'valid signature, malformed JSON',
        res: () => deliver(app, hook.path, '{"amount":', { secret: hook.secret }),
        status: 400,
        code: 'INVALID_JSON',
      },
      {
        name: 'unknown hook id',
        res: () => deliver(app, '/api/v1/hooks/wh_doesnotexist', body, { secret: hook.secret }),
        status: 404,
        code: 'WEBHOOK_NOT_FOUND',
      },
      {
        name: 'malformed hook id',
        res: () => deliver(app, '/api/v1/hooks/%27%3B--', body, { secret: hook.secret }),
        status: 404,
        code: 'WEBHOOK_NOT_FOUND',
      },
      {
        name: 'method other than the trigger’s',
        res: () => deliver(app, hook.path, body, { secret: hook.secret, method: 'PUT' }),
        status: 405,
        code: 'METHOD_NOT_ALLOWED',
      },
    ];
    for (const c of cases) {
      const res = await c.res();
      expect({ name: c.name, status: res.statusCode, code: res.json().error?.code }).toEqual({
        name: c.name,
        status: c.status,
        code: c.code,
      });
      expect(res.json().error.request_id).toBeTruthy();
    }
    const stale = await deliver(app, hook.path, body, { secret: hook.secret, timestamp: now - 360 });
    expect(stale.json().error.details).toEqual({ reason: 'too_old', tolerance_seconds: 300 });
    const future = await deliver(app, hook.path, body, { secret: hook.secret, timestamp: now + 360 });
    expect(future.json().error.details.reason).toBe('too_new');
    const unsigned = await deliver(app, hook.path, body);
    expect(unsigned.json().error.details.missing).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    const wrongMethod = await deliver(app, hook.path, body, { secret: hook.secret, method: 'PUT' });
    expect(wrongMethod.headers.allow).toBe('POST');
    // DELETE is not a hook method at all: the router's 404.
    expect((await deliver(app, hook.path, body, { secret: hook.secret, method: 'DELETE' })).statusCode).toBe(
      404,
    );

    expect(await hookFootprint(ownerDb(), hook)).toEqual({
      executions: 0,
      deliveries: 0,
      lastTriggeredAt: null,
    });
  });

  it('a switched-off endpoint is 404 until it is switched back on', async () => {
    const hook = await createHookAgent(app, owner);
    const off = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${hook.agentId}/webhook`,
      headers: owner.headers,
      payload: { is_active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().is_active).toBe(false);
    const refused = await deliver(app, hook.path, '{}', { secret: hook.secret });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.code).toBe('WEBHOOK_NOT_FOUND');
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${hook.agentId}/webhook`,
      headers: owner.headers,
      payload: { is_active: true },
    });
    expect((await deliver(app, hook.path, '{}', { secret: hook.secret })).statusCode).toBe(202);
  });

  it('a paused agent is 409 AGENT_NOT_ACTIVE, and the delivery id stays free for the retry', async () => {
    const hook = await createHookAgent(app, owner);
    await call(owner, 'PUT', `/api/v1/agents/${hook.agentId}/status`, { status: 'paused' });
    const id = deliveryId();
    const paused = await deliver(app, hook.path, '{}', { secret: hook.secret, id });
    expect(paused.statusCode).toBe(409);
    expect(paused.json().error.code).toBe('AGENT_NOT_ACTIVE');
    expect(await hookFootprint(ownerDb(), hook)).toMatchObject({ executions: 0, deliveries: 0 });

    await call(owner, 'PUT', `/api/v1/agents/${hook.agentId}/status`, { status: 'active' });
    const retried = await deliver(app, hook.path, '{}', { secret: hook.secret, id });
    expect(retried.statusCode, retried.body).toBe(202);
    expect(retried.json().duplicate).toBe(false);
    await waitForStatus(app, owner, retried.json().execution_id, ['completed']);
  });

  it('a version whose trigger is no longer a webhook keeps the endpoint but refuses deliveries', async () => {
    const hook = await createHookAgent(app, owner);
    const manual = {
      nodes: [
        {
          id: 'trigger',
          type: 'trigger',
          subtype: 'manual',
          label: 'Start',
          config: {},
          position: { x: 0, y: 0 },
        },
      ],
      edges: [],
    };
    const published = await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/publish`, {
      change_message: 'manual now',
      definition: manual,
    });
    expect(published.statusCode, published.body).toBe(201);
    const refused = await deliver(app, hook.path, '{}', { secret: hook.secret });
    expect(refused.statusCode).toBe(404);
    const view = (await call(owner, 'GET', `/api/v1/agents/${hook.agentId}/webhook`)).json();
    expect(view).toMatchObject({ hook_id: hook.hookId, method: null, response_mode: null });

    // Rolling back to the webhook version brings the same address and secret back.
    const rolled = await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/rollback`, { version: 1 });
    expect(rolled.statusCode, rolled.body).toBe(201);
    expect((await deliver(app, hook.path, '{}', { secret: hook.secret })).statusCode).toBe(202);
  });

  it('GET and PUT hooks: the method comes from the trigger config; a GET signs the empty body', async () => {
    const getHook = await createHookAgent(app, owner, { method: 'GET' });
    const got = await deliver(app, getHook.path, '', {
      secret: getHook.secret,
      method: 'GET',
      query: 'ping=1',
    });
    expect(got.statusCode, got.body).toBe(202);
    const run = await waitForStatus(app, owner, got.json().execution_id, ['completed']);
    expect(run.trigger_data).toMatchObject({ body: null, query: { ping: '1' }, method: 'GET' });
    expect((await deliver(app, getHook.path, '{}', { secret: getHook.secret })).statusCode).toBe(405);

    const putHook = await createHookAgent(app, owner, { method: 'PUT' });
    const put = await deliver(app, putHook.path, 'plain words', {
      secret: putHook.secret,
      method: 'PUT',
      contentType: 'text/plain; charset=utf-8',
    });
    expect(put.statusCode, put.body).toBe(202);
    const text = await waitForStatus(app, owner, put.json().execution_id, ['completed']);
    expect(text.trigger_data).toMatchObject({ body: 'plain words', method: 'PUT' });
  });
});

describe('token mode', () => {
  it('accepts the secret in X-AgentFlow-Webhook-Token (and only that), with form bodies parsed', async () => {
    const hook = await createHookAgent(app, owner);
    const switched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${hook.agentId}/webhook`,
      headers: owner.headers,
      payload: { mode: 'token' },
    });
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json().mode).toBe('token');

    const form = 'name=Ada&tag=x&tag=y';
    const ok = await deliver(app, hook.path, form, {
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'x-agentflow-webhook-token': hook.secret },
    });
    expect(ok.statusCode, ok.body).toBe(202);
    const run = await waitForStatus(app, owner, ok.json().execution_id, ['completed']);
    expect(run.trigger_data.body).toEqual({ name: 'Ada', tag: ['x', 'y'] });
    // The token itself is never copied into the run.
    expect(JSON.stringify(run)).not.toContain(hook.secret);

    const wrong = await deliver(app, hook.path, '{}', {
      headers: { 'x-agentflow-webhook-token': `${hook.secret}x` },
    });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'WEBHOOK_TOKEN_INVALID']);
    // A valid Standard Webhooks signature is not what token mode asks for.
    const signed = await deliver(app, hook.path, '{}', { secret: hook.secret });
    expect([signed.statusCode, signed.json().error.code]).toEqual([400, 'WEBHOOK_HEADERS_MISSING']);
    expect((await hookFootprint(ownerDb(), hook)).executions).toBe(1);

    // A webhook-id sent in token mode still dedupes.
    const headers = { 'x-agentflow-webhook-token': hook.secret, 'webhook-id': deliveryId() };
    const a = await deliver(app, hook.path, '{}', { headers });
    const b = await deliver(app, hook.path, '{}', { headers });
    expect(b.json()).toMatchObject({ execution_id: a.json().execution_id, duplicate: true });
    await waitForStatus(app, owner, a.json().execution_id, ['completed']);
  });
});

describe('sync mode', () => {
  it('answers 200 with the output node’s result', async () => {
    const hook = await createHookAgent(app, owner, { responseMode: 'sync' });
    const res = await deliver(app, hook.path, '{"question":"42?"}', { secret: hook.secret, query: 'x=1' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      execution_id: expect.any(String),
      status: 'completed',
      output: {
        body: { received: { question: '42?' }, method: 'POST', query: { x: '1' } },
        status_code: 200,
        headers: {},
      },
      duplicate: false,
    });
    expect(res.headers['x-agentflow-execution-id']).toBe(res.json().execution_id);
  });

  it('a failed run is a 422 EXECUTION_FAILED naming the run’s error and execution', async () => {
    const hook = await createHookAgent(app, owner, {
      responseMode: 'sync',
      inputSchema: {
        type: 'object',
        required: ['body'],
        properties: { body: { type: 'object', required: ['email'] } },
      },
    });
    const res = await deliver(app, hook.path, '{"name":"no email"}', { secret: hook.secret });
    expect(res.statusCode, res.body).toBe(422);
    const { error } = res.json();
    expect(error.code).toBe('EXECUTION_FAILED');
    expect(error.details).toMatchObject({
      execution_id: res.headers['x-agentflow-execution-id'],
      status: 'failed',
      error: { code: 'TRIGGER_INPUT_INVALID' },
    });
  });

  it('a run that hits its own timeout is a 504 EXECUTION_TIMEOUT', async () => {
    const hook = await createHookAgent(app, owner, {
      responseMode: 'sync',
      delayMs: 3000,
      settings: { timeout_seconds: 1 },
    });
    const res = await deliver(app, hook.path, '{}', { secret: hook.secret });
    expect(res.statusCode, res.body).toBe(504);
    expect(res.json().error).toMatchObject({
      code: 'EXECUTION_TIMEOUT',
      details: { execution_id: res.headers['x-agentflow-execution-id'], status: 'failed' },
    });
  });

  it('answers 202 with the execution id when the run outlasts WEBHOOK_SYNC_TIMEOUT_MS', async () => {
    const { app: quick } = await createTestApp({
      database: shared.get().connectAs(APP_ROLE),
      config: { webhooks: { syncTimeoutMs: 150, maxBodyBytes } },
    });
    try {
      const quickOwner = await createOrgWithOwner(quick);
      const hook = await createHookAgent(quick, quickOwner, { responseMode: 'sync', delayMs: 1500 });
      const started = Date.now();
      const res = await deliver(quick, hook.path, '{}', { secret: hook.secret });
      expect(res.statusCode, res.body).toBe(202);
      expect(Date.now() - started).toBeLessThan(1400);
      expect(res.json()).toEqual({
        execution_id: expect.any(String),
        status: expect.stringMatching(/^(pending|running)$/),
        duplicate: false,
      });
      const done = await waitForStatus(quick, quickOwner, res.json().execution_id, ['completed']);
      expect(done.output.body.method).toBe('POST');
    } finally {
      await quick.close();
    }
  });

  it('the wait wakes on the execution’s event channel, not only by polling', async () => {
    const hook = await createHookAgent(app, owner, { delayMs: 800 });
    const res = await deliver(app, hook.path, '{}', { secret: hook.secret });
    expect(res.statusCode).toBe(202);
    const started = Date.now();
    // Polling once a minute within a 20 s budget: only the bus can end this wait with "completed".
    const snapshot = await waitForExecution({
      db: app.authDeps.db,
      orgId: owner.orgId,
      executionId: res.json().execution_id,
      timeoutMs: 20_000,
      pollIntervalMs: 60_000,
      events: app.eventBus,
    });
    expect(snapshot.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

async function signedHeaders(secret: string, id: string, timestamp: number, body: string) {
  const { Webhook } = await import('standardwebhooks');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
  };
}
