import { BullmqQueueDriver, closeRedis, createRedis } from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { samplePayloads } from './test-support';
import { runWorker } from './test-support/process';

const redisUrl = process.env.REDIS_URL;

describe('worker process: startup failures', () => {
  it('exits 1 naming REDIS_URL when it is missing', async () => {
    const run = runWorker({});
    expect((await run.exited).code).toBe(1);
    const fatal = run.lines.find((line) => line.level === 60);
    expect(fatal?.msg).toBe(
      'Invalid worker environment: REDIS_URL is required: the worker consumes its queues from Redis (e.g. redis://127.0.0.1:6379)',
    );
  });

  it('exits 1 naming REDIS_URL when it is not a Redis URL', async () => {
    const run = runWorker({ REDIS_URL: 'http://127.0.0.1:6379' });
    expect((await run.exited).code).toBe(1);
    expect(run.output()).toContain('REDIS_URL must be a redis:// or rediss:// URL');
  });

  it('exits 1 naming REDIS_URL when Redis does not answer', async () => {
    const run = runWorker({ REDIS_URL: 'redis://127.0.0.1:1', STARTUP_TIMEOUT_MS: '300' });
    expect((await run.exited).code).toBe(1);
    const fatal = run.lines.find((line) => line.level === 60);
    expect(fatal?.msg).toMatch(
      /^REDIS_URL: cannot reach Redis: Redis at redis:\/\/127\.0\.0\.1:1 did not answer PING/,
    );
  });
});

describe.skipIf(!redisUrl)(`worker process lifecycle${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`, () => {
  const url = redisUrl ?? '';
  const prefix = uniquePrefix('main');
  afterAll(async () => {
    const admin = createRedis(url, { role: 'producer' });
    await deleteKeysWithPrefix(admin, prefix);
    await closeRedis(admin);
  });

  it('boots, processes a job enqueued from outside, and exits 0 on SIGTERM', async () => {
    const database: Record<string, string> = process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL }
      : { PGLITE_DATA_DIR: 'memory://' };
    const run = runWorker({
      REDIS_URL: url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '5000',
      ...database,
    });
    const producer = new BullmqQueueDriver({ redisUrl: url, prefix });
    try {
      await waitFor(() => run.lines.find((line) => line.msg === 'worker ready'), {
        timeoutMs: 20_000,
        what: `"worker ready" (output so far: ${run.output()})`,
      });

      const payload = samplePayloads().executions;
      const { jobId } = await producer.enqueue('executions', payload);
      // The execution does not exist (and the worker's database may not even be migrated): the job
      // finishes either way; what matters here is that the process received and processed it.
      await waitFor(async () => {
        const job = await producer.getJob('executions', jobId);
        return job && (job.state === 'completed' || job.state === 'failed') ? job : undefined;
      });
      await waitFor(
        () => run.lines.find((line) => line.msg === 'execution job received' && line.jobId === jobId),
        {
          what: 'the processor log line',
        },
      );

      const stoppingAt = Date.now();
      run.child.kill('SIGTERM');
      const { code } = await run.exited;
      expect(code).toBe(0);
      expect(Date.now() - stoppingAt).toBeLessThan(5_000);
      expect(run.lines.at(-1)).toMatchObject({ msg: 'worker stopped', clean: true });
    } finally {
      run.child.kill('SIGKILL');
      await producer.close();
    }
  });
});
