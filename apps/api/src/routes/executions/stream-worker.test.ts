import type { AddressInfo } from 'node:net';
import { APP_ROLE } from '@agentflow/db';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { BullmqQueueDriver, closeRedis, createRedis, RedisEventBus } from '@agentflow/queue';
import { deleteKeysWithPrefix, uniquePrefix } from '@agentflow/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import type { SpawnedServer } from '../../test-support/spawn-server';
import { createTestApp } from '../../test-support/test-app';
import { startWorkerProcess, stopWorkerProcess } from '../../test-support/worker-process';
import { caller, createAgentAs } from '../agents/test-fixtures';
import { createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import { openStream, range, seqs } from './stream-fixtures';

/**
 * The API streams what a worker in another process does: the API enqueues on BullMQ and subscribes on
 * Redis; `apps/worker` (its real entry, own Node process) runs the execution against the same Postgres
 * database and publishes each stored event on Redis. Needs both services.
 */

const SKIP = !process.env.DATABASE_URL || !process.env.REDIS_URL;
const redisUrl = process.env.REDIS_URL ?? '';

let testDb: TestDatabase;
let app: App;
let baseUrl: string;
let owner: TestMember;
let queue: BullmqQueueDriver;
let events: RedisEventBus;
let worker: SpawnedServer | undefined;
const prefix = uniquePrefix('stream');
const call = caller(() => app);

describe.skipIf(SKIP)(
  `execution stream across processes${SKIP ? ' (needs DATABASE_URL and REDIS_URL)' : ''}`,
  () => {
    beforeAll(async () => {
      testDb = await createTestDatabase();
      queue = new BullmqQueueDriver({ redisUrl, prefix });
      events = new RedisEventBus({ redisUrl });
      ({ app } = await createTestApp({
        database: testDb.connectAs(APP_ROLE),
        queue,
        events,
        // No keepalive tick (and so no re-read) during the test: every event must come live via Redis.
        config: { wsPingIntervalMs: 600_000 },
      }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      owner = await createOrgWithOwner(app);
    }, 60_000);

    afterAll(async () => {
      if (worker) {
        const timer = setTimeout(() => worker?.child.kill('SIGKILL'), 10_000);
        await stopWorkerProcess(worker);
        clearTimeout(timer);
      }
      await app?.close();
      await queue?.close({ timeoutMs: 1000 });
      await events?.close();
      const admin = createRedis(redisUrl, { role: 'producer' });
      await deleteKeysWithPrefix(admin, prefix);
      await closeRedis(admin);
      await testDb?.cleanup();
    }, 60_000);

    it('a client connected before the worker starts receives every event live, then a 1000 close', async () => {
      const agent = await createAgentAs(app, owner, { template: 'starter' });
      await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
      await call(owner, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
      const started = await call(owner, 'POST', `/api/v1/agents/${agent.id}/execute`, {
        trigger_data: { message: 'across processes' },
      });
      expect(started.statusCode).toBe(202);
      const id = started.json().execution_id as string;

      const client = openStream(baseUrl, id, { headers: owner.headers });
      await client.opened;
      // Nothing is stored yet (no process consumes the queue), so nothing can come from the replay.
      const before = await call(owner, 'GET', `/api/v1/executions/${id}/events`);
      expect(before.json().data).toEqual([]);

      worker = await startWorkerProcess({ databaseName: testDb.name, queuePrefix: prefix });
      const output = () => `${worker?.stdout.join('\n')}\n${worker?.stderr()}`;
      const closed = await Promise.race([
        client.closed,
        worker.exited.then(({ code }) => {
          throw new Error(`worker exited (${code}) before the stream ended:\n${output()}`);
        }),
      ]);
      expect(closed, output()).toEqual({ code: 1000, reason: 'execution ended' });

      const stored = (await call(owner, 'GET', `/api/v1/executions/${id}/events?limit=1000`)).json().data;
      expect(seqs(stored)).toEqual(range(1, stored.length));
      expect(stored.at(-1)).toMatchObject({ type: 'execution.completed' });
      expect(client.events).toEqual(stored);
      // The row agrees with the stream.
      const execution = (await call(owner, 'GET', `/api/v1/executions/${id}`)).json();
      expect(execution.status).toBe('completed');
    }, 120_000);
  },
);
