import {
  BullmqQueueDriver,
  closeRedis,
  createRedis,
  InlineQueueDriver,
  type QueueDriver,
  queueNames,
} from '@agentflow/queue';
import {
  deleteKeysWithPrefix,
  REDIS_SKIP_REASON,
  uniquePrefix,
  waitFor,
  waitForJobState,
} from '@agentflow/queue/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessors, type ProcessorMap } from './processors';
import { memoryLogger, samplePayloads } from './test-support';
import { startWorker } from './worker';

const redisUrl = process.env.REDIS_URL;

interface Setup {
  /** What the worker consumes from (and closes). */
  consumer: QueueDriver;
  /** What the test enqueues with: the same driver inline, a second connection set for Redis. */
  producer: QueueDriver;
  dispose(): Promise<void>;
}

function defineWorkerSuite(setup: () => Promise<Setup>) {
  it('consumes a job from every registry queue with its processor', async () => {
    const { consumer, producer, dispose } = await setup();
    const { logger, lines } = memoryLogger();
    const worker = await startWorker({ queue: consumer, logger, concurrency: 2, shutdownTimeoutMs: 2_000 });
    expect(worker.queues).toEqual(queueNames);

    const payloads = samplePayloads();
    const jobIds: string[] = [];
    for (const name of queueNames) {
      const { jobId } = await producer.enqueue(name, payloads[name] as never);
      await waitForJobState(producer, name, jobId, 'completed');
      jobIds.push(jobId);
    }
    for (const [i, name] of queueNames.entries()) {
      const received = lines.find((line) => line.queue === name && line.jobId === jobIds[i] && line.payload);
      expect(received?.payload, `${name} processor logged its payload`).toEqual(payloads[name]);
    }
    expect(await worker.close()).toEqual({ clean: true, timedOut: false, abandoned: [] });
    await dispose();
  });

  it('logs a failing processor with the job id and keeps consuming', async () => {
    const { consumer, producer, dispose } = await setup();
    const { logger, lines } = memoryLogger();
    const processors: ProcessorMap = {
      ...createProcessors({ logger }),
      ingestion: async () => {
        throw new Error('parser crashed');
      },
    };
    const worker = await startWorker({
      queue: consumer,
      logger,
      concurrency: 1,
      shutdownTimeoutMs: 2_000,
      processors,
    });
    const payloads = samplePayloads();
    const bad = await producer.enqueue('ingestion', payloads.ingestion);
    const good = await producer.enqueue('executions', payloads.executions);
    await waitForJobState(producer, 'ingestion', bad.jobId, 'failed');
    await waitForJobState(producer, 'executions', good.jobId, 'completed');
    // The failure is reported by an event that may trail the state change.
    const failure = await waitFor(() => lines.find((line) => line.msg === 'job failed'), {
      what: 'job failed',
    });
    expect(failure).toMatchObject({ level: 50, queue: 'ingestion', jobId: bad.jobId });
    expect(failure.err).toMatchObject({ message: 'parser crashed' });
    await worker.close();
    await dispose();
  });

  it('close() reports a job that outlived the shutdown timeout', async () => {
    const { consumer, producer, dispose } = await setup();
    const { logger, lines } = memoryLogger();
    const processors: ProcessorMap = {
      ...createProcessors({ logger }),
      // Honours the abort signal, as long-running processors must.
      executions: (_payload, job) =>
        new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const worker = await startWorker({
      queue: consumer,
      logger,
      concurrency: 1,
      shutdownTimeoutMs: 200,
      processors,
    });
    const { jobId } = await producer.enqueue('executions', samplePayloads().executions);
    await waitForJobState(producer, 'executions', jobId, 'active');
    const result = await worker.close();
    expect(result).toEqual({ clean: false, timedOut: true, abandoned: [] });
    expect(lines.some((line) => line.level === 40 && String(line.msg).includes('shutdown timeout'))).toBe(
      true,
    );
    await dispose();
  });
}

describe('startWorker with the inline driver', () => {
  defineWorkerSuite(async () => {
    const driver = new InlineQueueDriver();
    return { consumer: driver, producer: driver, dispose: async () => {} };
  });
});

describe.skipIf(!redisUrl)(`startWorker with BullMQ${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`, () => {
  const url = redisUrl ?? '';
  const prefixes: string[] = [];
  afterAll(async () => {
    const admin = createRedis(url, { role: 'producer' });
    for (const prefix of prefixes) await deleteKeysWithPrefix(admin, prefix);
    await closeRedis(admin);
  });

  defineWorkerSuite(async () => {
    const prefix = uniquePrefix('worker');
    prefixes.push(prefix);
    const silent = { warn: () => {}, error: () => {} };
    const consumer = new BullmqQueueDriver({ redisUrl: url, prefix, logger: silent });
    const producer = new BullmqQueueDriver({ redisUrl: url, prefix, logger: silent });
    return { consumer, producer, dispose: async () => void (await producer.close()) };
  });
});
