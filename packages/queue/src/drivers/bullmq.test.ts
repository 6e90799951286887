import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRef } from '../driver';
import { InvalidJobPayloadError } from '../errors';
import type { QueueLogger } from '../logger';
import { closeRedis, createRedis } from '../redis';
import { DEFAULT_POLICY } from '../registry';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor, waitForJobState } from '../testing';
import { BullmqQueueDriver } from './bullmq';
import { workerOptions } from './bullmq-options';
import { defineDriverContract } from './driver-contract';

const redisUrl = process.env.REDIS_URL;
const title = (name: string) => (redisUrl ? name : `${name} (${REDIS_SKIP_REASON})`);

/** Collects what the driver would log, so expected errors do not clutter the test output. */
function memoryLogger() {
  const lines: { level: string; message: string; details: object }[] = [];
  const logger: QueueLogger = {
    warn: (details, message) => void lines.push({ level: 'warn', message, details }),
    error: (details, message) => void lines.push({ level: 'error', message, details }),
  };
  return { logger, lines };
}

describe.skipIf(!redisUrl)(title('bullmq driver'), () => {
  const url = redisUrl ?? '';
  const admin = redisUrl ? createRedis(url, { role: 'producer' }) : undefined;
  const prefixes: string[] = [];

  afterAll(async () => {
    if (!admin) return;
    for (const prefix of prefixes) await deleteKeysWithPrefix(admin, prefix);
    await closeRedis(admin);
  });

  function newDriver() {
    const prefix = uniquePrefix('queue');
    prefixes.push(prefix);
    const { logger, lines } = memoryLogger();
    return { driver: new BullmqQueueDriver({ redisUrl: url, prefix, logger }), prefix, lines };
  }

  describe('queue contract', () => {
    defineDriverContract(async () => {
      const { driver } = newDriver();
      return { driver, cleanup: async () => void (await driver.close({ timeoutMs: 2_000 })) };
    });
  });

  it('tells its listeners when the Redis connection comes back, not on the first connect', async () => {
    const { driver, prefix, lines } = newDriver();
    try {
      let reconnects = 0;
      const off = driver.onReconnect(() => void reconnects++);
      await driver.ping();
      expect(reconnects).toBe(0);
      // Cut the producer connection from the server side; ioredis reconnects on its own.
      const clients = String(await admin!.call('CLIENT', 'LIST'));
      const id = clients
        .split('\n')
        .find((line) => line.includes(`name=${prefix}:producer`))
        ?.match(/id=(\d+)/)?.[1];
      expect(id).toBeDefined();
      await admin!.call('CLIENT', 'KILL', 'ID', id!);
      await waitFor(() => reconnects === 1 || undefined, { timeoutMs: 10_000, what: 'the reconnect' });
      expect(lines.some((l) => l.message === 'redis connection restored')).toBe(true);
      off();
    } finally {
      await driver.close({ timeoutMs: 1_000 });
    }
  });

  describe('redis specifics', () => {
    let fixture: ReturnType<typeof newDriver>;
    beforeAll(() => {
      fixture = newDriver();
    });
    afterAll(async () => {
      await fixture.driver.close();
    });

    it('keeps every key under its prefix', async () => {
      const { driver, prefix } = fixture;
      await driver.ping();
      const { jobId } = await driver.enqueue('ingestion', {
        document_id: randomUUID(),
        org_id: randomUUID(),
      });
      const keys = await admin!.keys(`${prefix}:ingestion:*`);
      expect(keys).toContain(`${prefix}:ingestion:${jobId}`);
    });

    it('rejects a bad payload written by a foreign producer before the processor sees it', async () => {
      const { driver, prefix } = fixture;
      const failures: { job: JobRef; error: Error }[] = [];
      let calls = 0;
      await driver.consume(
        'executions',
        async () => {
          calls += 1;
        },
        { listener: { onFailed: (job, error) => failures.push({ job, error }) } },
      );
      // Bypasses enqueue validation, like an older service version or a hand-written job would.
      const raw = new Queue('executions', { connection: admin!, prefix });
      await raw.add('executions', { execution_id: randomUUID() }, { jobId: 'foreign-1' });
      await raw.close();

      const job = await waitForJobState(driver, 'executions', 'foreign-1', 'failed');
      expect(job.failedReason).toBe(
        'Invalid job payload for queue "executions" (job foreign-1): org_id: Invalid input: expected string, received undefined',
      );
      await waitFor(() => failures.length === 1 || undefined, { what: 'onFailed' });
      const reported = failures[0]!.error;
      expect(reported).toBeInstanceOf(InvalidJobPayloadError);
      expect((reported as InvalidJobPayloadError).fields).toEqual(['org_id']);
      expect(calls).toBe(0);
    });

    it('fails a stalled job instead of re-running it (maxStalledCount 0)', async () => {
      const { prefix } = fixture;
      // BullMQ refuses a worker connection that may give up on commands (maxRetriesPerRequest set).
      const workerConnection = createRedis(url, { role: 'worker' });
      const raw = new Queue('schedules', { connection: admin!, prefix });
      await raw.add('schedules', {}, { jobId: 'stall-1' });
      // A worker that takes the job and dies: its 200 ms lock is never renewed.
      const ghost = new Worker('schedules', null, {
        connection: workerConnection,
        prefix,
        lockDuration: 200,
        skipLockRenewal: true,
        skipStalledCheck: true,
      });
      expect((await ghost.getNextJob('ghost-token'))?.id).toBe('stall-1');
      await ghost.close(true);

      // Our worker settings, with a short stalled-check interval so the test does not wait 2 x 30 s.
      let calls = 0;
      const survivor = new Worker(
        'schedules',
        async () => {
          calls += 1;
        },
        { connection: workerConnection, prefix, stalledInterval: 250, ...workerOptions(DEFAULT_POLICY) },
      );
      const stalled = await waitFor(
        async () => ((await raw.getJobState('stall-1')) === 'failed' ? raw.getJob('stall-1') : undefined),
        { timeoutMs: 10_000, what: 'the stalled job to fail' },
      );
      expect(stalled?.failedReason).toBe('job stalled more than allowable limit');
      expect(calls).toBe(0);
      await survivor.close();
      await raw.close();
      await closeRedis(workerConnection);
    });
  });
});
