import type { AddressInfo } from 'node:net';
import { apiKeyScopes } from '@agentflow/contracts';
import { APP_ROLE } from '@agentflow/db';
import { executionChannel, MemoryEventBus } from '@agentflow/queue';
import { waitFor } from '@agentflow/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller, createAgentAs } from '../agents/test-fixtures';
import { addMember, createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import {
  CountingEventBus,
  driveExecution,
  openStream,
  range,
  rejectedUpgrade,
  seedRunningExecution,
  seqs,
} from './stream-fixtures';

/**
 * WS /api/v1/executions/:id/stream against a listening app (real sockets, the `ws` client), the
 * database as the app role (RLS on). Events are written by the production recorder, stored first and
 * then published on the app's bus, so each test decides what is stored, what is live and what is lost.
 * Embedded bus here; the Redis bus with a worker in another process is stream-worker.test.ts.
 */

const PING_MS = 250;
const shared = sharedTestDatabase();
const bus = new CountingEventBus(new MemoryEventBus());
let app: App;
let logs: LogCapture;
let baseUrl: string;
let owner: TestMember;
const call = caller(() => app);

beforeAll(async () => {
  await shared.setup();
  ({ app, logs } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    events: bus,
    config: { wsPingIntervalMs: PING_MS },
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  owner = await createOrgWithOwner(app);
});
afterAll(async () => {
  await app?.close();
  await bus.close();
  await shared.teardown();
});

async function storedEvents(who: TestMember, id: string) {
  const res = await call(who, 'GET', `/api/v1/executions/${id}/events?limit=1000`);
  expect(res.statusCode).toBe(200);
  return res.json().data as { seq: number }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('execution stream: order and completeness', () => {
  it('replays stored events after SEQ, then live ones; drops duplicates; closes 1000 after the terminal event', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(5);

    const client = openStream(baseUrl, id, { after: 2, headers: owner.headers });
    await client.opened;
    expect(seqs(await client.waitForEvents(3))).toEqual([3, 4, 5]);

    await run.steps(2);
    expect(seqs(await client.waitForEvents(5))).toEqual([3, 4, 5, 6, 7]);

    // Already-sent seqs, another execution's event and garbage on the channel are not forwarded.
    const stored = await storedEvents(owner, id);
    await bus.publish(executionChannel(id), JSON.stringify(stored[3]));
    await bus.publish(
      executionChannel(id),
      JSON.stringify({ ...stored[6], execution_id: crypto.randomUUID(), seq: 8 }),
    );
    await bus.publish(executionChannel(id), 'not json');
    await run.end('completed');

    expect(await client.closed).toEqual({ code: 1000, reason: 'execution ended' });
    expect(seqs(client.events)).toEqual(range(3, 8));
    expect(client.events.at(-1)?.type).toBe('execution.completed');
    // Exactly what is stored: same fields, same values.
    expect(client.events).toEqual((await storedEvents(owner, id)).slice(2));
    await waitFor(() => bus.subscribers(executionChannel(id)) === 0 || undefined, {
      what: 'the stream to unsubscribe',
    });
  });

  it('connecting while events are being written: every seq once, in order', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    const writing = (async () => {
      for (let i = 0; i < 60; i++) await run.steps(1);
      await run.end('completed');
    })();
    // Connect mid-way: part of the run is replayed, part arrives live, some of it during the replay.
    await waitFor(() => run.seq >= 15 || undefined, { what: 'the first events' });
    const client = openStream(baseUrl, id, { headers: owner.headers });
    await writing;
    expect((await client.closed).code).toBe(1000);
    expect(seqs(client.events)).toEqual(range(1, 61));
  });

  it('re-reads a gap from the database when live messages were lost', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(1);
    const client = openStream(baseUrl, id, { headers: owner.headers });
    await client.waitForEvents(1);

    await run.steps(3, { publish: false }); // stored, never published (pub/sub is at most once)
    await sleep(50);
    expect(seqs(client.events)).toEqual([1]);
    await run.steps(1); // seq 5 arrives live with a gap behind it
    expect(seqs(await client.waitForEvents(5))).toEqual([1, 2, 3, 4, 5]);
    await run.end('completed');
    expect((await client.closed).code).toBe(1000);
    expect(seqs(client.events)).toEqual(range(1, 6));
  });

  it('delivers a terminal event whose live message was lost at the next keepalive tick', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(1);
    const client = openStream(baseUrl, id, { headers: owner.headers });
    await client.waitForEvents(1);
    await run.end('failed', { publish: false });
    expect((await client.closed).code).toBe(1000);
    expect(client.events.map((e) => e.type)).toEqual(['step.started', 'execution.failed']);
  });

  it('a client that drops mid-run and reconnects with after=<last seen> gets exactly the missing events', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(3);
    const first = openStream(baseUrl, id, { after: 0, headers: owner.headers });
    await first.waitForEvents(3);
    first.socket.terminate();
    await first.closed;

    await run.steps(3); // while nobody listens
    const lastSeen = first.events.at(-1)!.seq;
    const second = openStream(baseUrl, id, { after: lastSeen, headers: owner.headers });
    expect(seqs(await second.waitForEvents(3))).toEqual([4, 5, 6]);
    await run.steps(1);
    await run.end('completed');
    expect((await second.closed).code).toBe(1000);
    expect(seqs(second.events)).toEqual([4, 5, 6, 7, 8]);
    expect(seqs([...first.events, ...second.events])).toEqual(range(1, 8));
  });

  it('an execution that already ended: sends what is after SEQ and closes at once', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(2);
    await run.end('completed');

    const all = openStream(baseUrl, id, { headers: owner.headers });
    expect((await all.closed).code).toBe(1000);
    expect(seqs(all.events)).toEqual([1, 2, 3]);

    const nothingLeft = openStream(baseUrl, id, { after: 3, headers: owner.headers });
    expect(await nothingLeft.closed).toEqual({ code: 1000, reason: 'execution ended' });
    expect(nothingLeft.events).toEqual([]);
  });

  it('waiting for approval is not the end: the socket stays open (and pinged) until the run ends', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(1);
    await run.end('waiting_approval');
    const client = openStream(baseUrl, id, { headers: owner.headers });
    let pings = 0;
    client.socket.on('ping', () => {
      pings += 1;
    });
    await client.waitForEvents(2);
    await sleep(PING_MS * 4);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(2);

    await run.steps(1); // resumed
    await run.end('completed');
    expect((await client.closed).code).toBe(1000);
    expect(client.events.map((e) => e.type)).toEqual([
      'step.started',
      'execution.waiting_approval',
      'step.started',
      'execution.completed',
    ]);
  });

  it('a real run on the inline queue streams exactly the stored events', async () => {
    const agent = await createAgentAs(app, owner, { template: 'starter' });
    await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
    await call(owner, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
    const started = await call(owner, 'POST', `/api/v1/agents/${agent.id}/execute`, {
      trigger_data: { message: 'stream me' },
    });
    expect(started.statusCode).toBe(202);
    const id = started.json().execution_id as string;
    const client = openStream(baseUrl, id, { headers: owner.headers });
    expect((await client.closed).code).toBe(1000);
    const stored = await storedEvents(owner, id);
    expect(client.events).toEqual(stored);
    expect(seqs(stored)).toEqual(range(1, stored.length));
    expect(stored.at(-1)).toMatchObject({ type: 'execution.completed' });
  });
});

describe('execution stream: keepalive and shutdown', () => {
  it('terminates a client that does not answer pings, and lets go of the subscription', async () => {
    const id = await seedRunningExecution(app, owner);
    const channel = executionChannel(id);
    const silent = openStream(baseUrl, id, { headers: owner.headers, autoPong: false });
    await silent.opened;
    await waitFor(() => bus.subscribers(channel) === 1 || undefined, { what: 'the subscription' });
    const startedAt = Date.now();
    // No close frame: the server cuts the TCP connection.
    expect((await silent.closed).code).toBe(1006);
    expect(Date.now() - startedAt).toBeLessThan(PING_MS * 4 + 1000);
    await waitFor(() => bus.subscribers(channel) === 0 || undefined, { what: 'the stream to unsubscribe' });
  });

  it('a client that sends more than 4 KiB is cut off (1009), logged as its error, not ours', async () => {
    const id = await seedRunningExecution(app, owner);
    const client = openStream(baseUrl, id, { headers: owner.headers });
    await client.opened;
    client.socket.send('x'.repeat(8 * 1024));
    expect((await client.closed).code).toBe(1009);
    await waitFor(
      () => logs.lines().find((line) => line.msg === 'websocket client error; connection terminated'),
      {
        what: 'the warning',
      },
    );
    expect(
      logs.lines().filter((line) => line.msg === 'websocket handler failed; connection terminated'),
    ).toEqual([]);
    await waitFor(() => bus.subscribers(executionChannel(id)) === 0 || undefined, {
      what: 'the unsubscribe',
    });
  });

  it('closes open streams with 1001 when the app shuts down', async () => {
    const other = await createTestApp({
      database: shared.get().connectAs(APP_ROLE),
      config: { wsPingIntervalMs: 60_000 },
    });
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`;
    const member = await createOrgWithOwner(other.app);
    const id = await seedRunningExecution(other.app, member);
    const client = openStream(url, id, { headers: member.headers });
    await client.opened;
    const closing = other.app.close();
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await closing;
  });
});

describe('execution stream: access', () => {
  it('needs credentials (401), never reads them from the query string', async () => {
    const id = await seedRunningExecution(app, owner);
    const none = await rejectedUpgrade(baseUrl, id);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const inQuery = await rejectedUpgrade(baseUrl, id, { query: `access_token=${owner.token}` });
    expect(inQuery.status).toBe(401);
    const bad = await rejectedUpgrade(baseUrl, id, { headers: { authorization: 'Bearer nope.nope.nope' } });
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'AUTH_TOKEN_INVALID' } } });
  });

  it('accepts the credential as the bearer.<token> subprotocol and selects "bearer"', async () => {
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(1);
    const jwt = openStream(baseUrl, id, { protocols: ['bearer', `bearer.${owner.token}`] });
    await jwt.opened;
    expect(jwt.socket.protocol).toBe('bearer');
    expect(seqs(await jwt.waitForEvents(1))).toEqual([1]);

    const key = await createApiKey(app, owner.orgId, ['executions:read']);
    const byKey = openStream(baseUrl, id, { protocols: ['bearer', `bearer.${key.key}`] });
    expect(seqs(await byKey.waitForEvents(1))).toEqual([1]);
    expect(byKey.socket.protocol).toBe('bearer');

    await run.end('completed');
    expect((await jwt.closed).code).toBe(1000);
    expect((await byKey.closed).code).toBe(1000);

    // The credential alone cannot be selected (it would be echoed): refused with a clear message.
    const alone = await rejectedUpgrade(baseUrl, id, { protocols: [`bearer.${owner.token}`] });
    expect(alone.status).toBe(401);
    expect(alone.body.error.message).toContain('"bearer"');
    const wrong = await rejectedUpgrade(baseUrl, id, { protocols: ['bearer', 'bearer.not-a-key'] });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'AUTH_TOKEN_INVALID' } } });
  });

  it('needs executions:view: a viewer may watch, a key without executions:read may not', async () => {
    const id = await seedRunningExecution(app, owner);
    const viewer = await addMember(app, owner.orgId, 'viewer');
    const watching = openStream(baseUrl, id, { headers: viewer.headers });
    await watching.opened;
    watching.socket.close();
    const key = await createApiKey(app, owner.orgId, ['agents:read']);
    const refused = await rejectedUpgrade(baseUrl, id, { headers: key.headers });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  it("another org's execution and an unknown id are a 404 before any upgrade", async () => {
    const id = await seedRunningExecution(app, owner);
    const stranger = await createOrgWithOwner(app);
    const strangerKey = await createApiKey(app, stranger.orgId, [...apiKeyScopes]);
    for (const headers of [stranger.headers, strangerKey.headers]) {
      const foreign = await rejectedUpgrade(baseUrl, id, { headers });
      const unknown = await rejectedUpgrade(baseUrl, crypto.randomUUID(), { headers });
      expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'EXECUTION_NOT_FOUND' } } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe(foreign.body.error.code);
    }
  });

  it('refuses a bad after (422 naming query.after) and a plain GET (426)', async () => {
    const id = await seedRunningExecution(app, owner);
    for (const after of ['-1', 'abc', '1.5', '99999999999']) {
      const res = await rejectedUpgrade(baseUrl, id, { after, headers: owner.headers });
      expect(res.status, `after=${after}`).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect((res.body.error.details.fields as { path: string }[]).map((f) => f.path)).toEqual([
        'query.after',
      ]);
    }
    const plain = await call(owner, 'GET', `/api/v1/executions/${id}/stream`);
    expect(plain.statusCode).toBe(426);
    expect(plain.headers.upgrade).toBe('websocket');
    expect(plain.json().error.code).toBe('UPGRADE_REQUIRED');
  });
});
