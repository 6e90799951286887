import type { AddressInfo } from 'node:net';
import type { ExecutionEvent } from '@agentflow/contracts';
import { APP_ROLE } from '@agentflow/db';
import { executionChannel, MemoryEventBus } from '@agentflow/queue';
import { waitFor } from '@agentflow/queue/testing';
import { AgentFlowClient, AgentFlowError } from '@agentflow/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import { CountingEventBus, driveExecution, range, seedRunningExecution, seqs } from './stream-fixtures';

/**
 * The SDK's `client.executions.stream()` against the real API on a real port (Node 20: the `ws`
 * package, credentials as the `bearer.<token>` subprotocol, as a browser would send them).
 */

const shared = sharedTestDatabase();
const bus = new CountingEventBus(new MemoryEventBus());
let app: App;
let baseUrl: string;
let owner: TestMember;
/** The URL of every accepted WebSocket connection, in order. */
const connections: string[] = [];

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    events: bus,
    config: { wsPingIntervalMs: 1000 },
  }));
  app.websocketServer.on('connection', (_socket, request) => {
    connections.push(String(request.url));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  owner = await createOrgWithOwner(app);
});
afterAll(async () => {
  await app?.close();
  await bus.close();
  await shared.teardown();
});

/** Iterates in the background; `events` fills as they arrive, `done` settles with the iteration. */
function consume(stream: AsyncIterable<ExecutionEvent>, onEvent?: (event: ExecutionEvent) => void) {
  const events: ExecutionEvent[] = [];
  const done = (async () => {
    for await (const event of stream) {
      events.push(event);
      onEvent?.(event);
    }
  })();
  done.catch(() => {});
  return { events, done };
}

describe('SDK executions.stream against the API', () => {
  it('yields stored then live events in order and ends after the terminal event (API key)', async () => {
    const key = await createApiKey(app, owner.orgId, ['executions:read']);
    const client = new AgentFlowClient({ baseUrl, apiKey: key.key });
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(3);

    const reader = consume(client.executions.stream(id));
    await waitFor(() => reader.events.length === 3 || undefined, { what: 'the replay' });
    await run.steps(2);
    await run.end('completed');
    await reader.done;
    expect(seqs(reader.events)).toEqual(range(1, 6));
    expect(reader.events.at(-1)?.type).toBe('execution.completed');
  });

  it('reconnects after a dropped connection with after=<last seq>: no gap, no duplicate', async () => {
    const client = new AgentFlowClient({ baseUrl, getAccessToken: () => owner.token });
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(3);
    const before = connections.length;

    const reader = consume(client.executions.stream(id));
    await waitFor(() => reader.events.length === 3 || undefined, { what: 'the first events' });
    // Cut every socket on the server side (no close frame), then keep the run going.
    for (const socket of app.websocketServer.clients) socket.terminate();
    await run.steps(4);
    await waitFor(() => connections.length >= before + 2 || undefined, { what: 'the reconnect' });
    await run.end('failed');
    await reader.done;
    expect(seqs(reader.events)).toEqual(range(1, 8));
    expect(connections.slice(before, before + 2)).toEqual([
      `/api/v1/executions/${id}/stream?after=0`,
      `/api/v1/executions/${id}/stream?after=3`,
    ]);
    expect(reader.events.at(-1)?.type).toBe('execution.failed');
  });

  it('starts after `after`, and ends at once for an execution that already ended', async () => {
    const client = new AgentFlowClient({ baseUrl, getAccessToken: () => owner.token });
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(4);
    await run.end('completed');
    const rest = consume(client.executions.stream(id, { after: 2 }));
    await rest.done;
    expect(seqs(rest.events)).toEqual([3, 4, 5]);
    const nothing = consume(client.executions.stream(id, { after: 5 }));
    await nothing.done;
    expect(nothing.events).toEqual([]);
  });

  it('throws the API refusal at once: 404 for another org, 401 for a bad key, 422 for a bad after', async () => {
    const id = await seedRunningExecution(app, owner);
    const stranger = await createOrgWithOwner(app);
    const foreign = new AgentFlowClient({ baseUrl, getAccessToken: () => stranger.token });
    await expect(consume(foreign.executions.stream(id)).done).rejects.toMatchObject({
      status: 404,
      code: 'EXECUTION_NOT_FOUND',
    });
    const badKey = new AgentFlowClient({ baseUrl, apiKey: 'af_live_nope' });
    await expect(consume(badKey.executions.stream(id)).done).rejects.toMatchObject({
      status: 401,
      code: 'AUTH_TOKEN_INVALID',
    });
    const mine = new AgentFlowClient({ baseUrl, getAccessToken: () => owner.token });
    const badAfter = await consume(mine.executions.stream(id, { after: -1 })).done.catch((e: unknown) => e);
    expect(badAfter).toBeInstanceOf(AgentFlowError);
    expect(badAfter).toMatchObject({ status: 422, code: 'VALIDATION_ERROR' });
  });

  it('an abort ends the iteration with the reason and closes the socket', async () => {
    const client = new AgentFlowClient({ baseUrl, getAccessToken: () => owner.token });
    const id = await seedRunningExecution(app, owner);
    const run = driveExecution(app, owner.orgId, id, bus);
    await run.steps(2);
    const controller = new AbortController();
    const reader = consume(client.executions.stream(id, { signal: controller.signal }), (event) => {
      if (event.seq === 2) controller.abort(new Error('user left the page'));
    });
    await expect(reader.done).rejects.toThrow('user left the page');
    expect(seqs(reader.events)).toEqual([1, 2]);
    await waitFor(() => bus.subscribers(executionChannel(id)) === 0 || undefined, {
      what: 'the server to drop the subscription',
    });
  });

  it('gives up with NETWORK_ERROR after maxRetries when the API is unreachable', async () => {
    const client = new AgentFlowClient({
      baseUrl: 'http://127.0.0.1:1',
      apiKey: 'af_live_x',
      timeoutMs: 2000,
    });
    const error = await consume(client.executions.stream(crypto.randomUUID(), { maxRetries: 2 })).done.catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgentFlowError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect((error as Error).message).toContain('after 2 retries');
  });
});
