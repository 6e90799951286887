import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ConsumeListener, JobContext, JobRef, QueueDriver } from '../driver';
import { InvalidJobIdError, InvalidJobPayloadError, QueueClosedError } from '../errors';
import type { JobPayload } from '../registry';
import { waitFor, waitForJobState } from '../testing';

export interface DriverFixture {
  driver: QueueDriver;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

function recordingListener() {
  const completed: JobRef[] = [];
  const failed: { job: JobRef; error: Error }[] = [];
  const listener: ConsumeListener = {
    onCompleted: (job) => completed.push(job),
    onFailed: (job, error) => failed.push({ job, error }),
  };
  return { listener, completed, failed };
}

const execution = () => ({ execution_id: randomUUID(), org_id: randomUUID() });
const document = () => ({ document_id: randomUUID(), org_id: randomUUID() });

/**
 * One behavioural contract, run against every driver: the inline driver is only a valid stand-in
 * for BullMQ if both pass the same tests.
 */
export function defineDriverContract(createFixture: () => Promise<DriverFixture>): void {
  let fixture: DriverFixture;
  let driver: QueueDriver;

  beforeEach(async () => {
    fixture = await createFixture();
    driver = fixture.driver;
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('delivers the validated payload with its job context', async () => {
    const seen: { payload: JobPayload<'executions'>; job: JobContext<'executions'> }[] = [];
    const { listener, completed } = recordingListener();
    await driver.consume('executions', async (payload, job) => void seen.push({ payload, job }), {
      listener,
    });
    const payload = execution();
    const before = Date.now();
    const { jobId } = await driver.enqueue('executions', { ...payload, ignored: true } as typeof payload);

    expect(jobId).toBe(payload.execution_id);
    await waitForJobState(driver, 'executions', jobId, 'completed');
    expect(seen).toHaveLength(1);
    const [{ payload: received, job }] = seen as [(typeof seen)[number]];
    expect(received).toEqual(payload);
    expect(job).toMatchObject({ queue: 'executions', jobId, attempt: 1 });
    expect(job.enqueuedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(job.signal.aborted).toBe(false);
    await waitFor(() => completed.length === 1 || undefined, { what: 'onCompleted' });
    expect(completed).toEqual([{ queue: 'executions', jobId }]);
  });

  it('keeps jobs enqueued before any consumer until one starts', async () => {
    const { jobId } = await driver.enqueue('ingestion', document());
    expect((await driver.getJob('ingestion', jobId))?.state).toBe('waiting');
    const seen: string[] = [];
    await driver.consume('ingestion', async (_payload, job) => void seen.push(job.jobId));
    await waitForJobState(driver, 'ingestion', jobId, 'completed');
    expect(seen).toEqual([jobId]);
  });

  it('dedupes by job id: a repeated execution id is a no-op, before and after it ran', async () => {
    const payload = execution();
    const first = await driver.enqueue('executions', payload);
    const second = await driver.enqueue('executions', payload);
    expect(second.jobId).toBe(first.jobId);

    let runs = 0;
    await driver.consume('executions', async () => {
      runs += 1;
    });
    await waitForJobState(driver, 'executions', first.jobId, 'completed');
    await driver.enqueue('executions', payload);
    await sleep(100);
    expect(runs).toBe(1);
    expect((await driver.getJob('executions', first.jobId))?.state).toBe('completed');
  });

  it('dedupes an explicit job id, keeping the first payload', async () => {
    const firstDoc = document();
    await driver.enqueue('ingestion', firstDoc, { jobId: 'doc-x' });
    await driver.enqueue('ingestion', document(), { jobId: 'doc-x' });
    const seen: string[] = [];
    await driver.consume('ingestion', async (payload) => void seen.push(payload.document_id));
    await waitForJobState(driver, 'ingestion', 'doc-x', 'completed');
    await sleep(50);
    expect(seen).toEqual([firstDoc.document_id]);
  });

  it('a re-delivery with its own job id runs again', async () => {
    const payload = execution();
    let runs = 0;
    await driver.consume('executions', async () => {
      runs += 1;
    });
    await driver.enqueue('executions', payload);
    await waitForJobState(driver, 'executions', payload.execution_id, 'completed');
    const { jobId } = await driver.enqueue('executions', payload, { jobId: `${payload.execution_id}.1` });
    await waitForJobState(driver, 'executions', jobId, 'completed');
    expect(runs).toBe(2);
  });

  it('rejects a bad payload at enqueue, naming the field, and enqueues nothing', async () => {
    const executionId = randomUUID();
    const attempt = driver.enqueue('executions', { execution_id: executionId, org_id: 'not-a-uuid' });
    await expect(attempt).rejects.toBeInstanceOf(InvalidJobPayloadError);
    await expect(attempt).rejects.toThrow(/org_id: Invalid UUID/);
    expect(await driver.getJob('executions', executionId)).toBeUndefined();
  });

  it('rejects job ids BullMQ cannot store', async () => {
    await expect(driver.enqueue('ingestion', document(), { jobId: '123' })).rejects.toBeInstanceOf(
      InvalidJobIdError,
    );
    await expect(driver.enqueue('ingestion', document(), { jobId: 'a:b' })).rejects.toBeInstanceOf(
      InvalidJobIdError,
    );
  });

  it('never runs more jobs at once than the consumer concurrency', async () => {
    const release = gate();
    let running = 0;
    let maxRunning = 0;
    await driver.consume(
      'ingestion',
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await release.opened;
        running -= 1;
      },
      { concurrency: 2 },
    );
    const ids = await Promise.all(Array.from({ length: 5 }, () => driver.enqueue('ingestion', document())));
    await waitFor(() => running === 2 || undefined, { what: 'two running jobs' });
    await sleep(200);
    expect(maxRunning).toBe(2);
    release.open();
    for (const { jobId } of ids) await waitForJobState(driver, 'ingestion', jobId, 'completed');
    expect(maxRunning).toBe(2);
  });

  it('surfaces a processor error: failed with its reason, reported, not retried', async () => {
    const { listener, failed } = recordingListener();
    let calls = 0;
    await driver.consume(
      'usage-rollup',
      async () => {
        calls += 1;
        throw new Error('rollup exploded');
      },
      { listener },
    );
    const { jobId } = await driver.enqueue('usage-rollup', { date: '2026-11-20' });
    const job = await waitForJobState(driver, 'usage-rollup', jobId, 'failed');
    expect(job.failedReason).toBe('rollup exploded');
    await waitFor(() => failed.length === 1 || undefined, { what: 'onFailed' });
    expect(failed[0]?.job).toEqual({ queue: 'usage-rollup', jobId });
    expect(failed[0]?.error.message).toBe('rollup exploded');
    await sleep(200);
    expect(calls).toBe(1);
  });

  it('holds a delayed job back until its delay has passed', async () => {
    const startedAt: number[] = [];
    await driver.consume('ingestion', async () => void startedAt.push(Date.now()));
    const enqueuedAt = Date.now();
    const { jobId } = await driver.enqueue('ingestion', document(), { delayMs: 400 });
    expect((await driver.getJob('ingestion', jobId))?.state).toBe('delayed');
    await waitForJobState(driver, 'ingestion', jobId, 'completed');
    expect(startedAt[0]! - enqueuedAt).toBeGreaterThanOrEqual(390);
  });

  it('close waits for active jobs to finish', async () => {
    let finished = false;
    await driver.consume('ingestion', async () => {
      await sleep(300);
      finished = true;
    });
    const { jobId } = await driver.enqueue('ingestion', document());
    await waitForJobState(driver, 'ingestion', jobId, 'active');
    const result = await driver.close({ timeoutMs: 5_000 });
    expect(finished).toBe(true);
    expect(result).toEqual({ timedOut: false, abandoned: [] });
  });

  it('close aborts jobs that outlive the timeout and reports those that ignore the abort', async () => {
    const stubborn = gate();
    const stubbornDoc = document();
    let sawAbort = false;
    await driver.consume(
      'ingestion',
      async (payload, job) => {
        if (payload.document_id === stubbornDoc.document_id) return stubborn.opened;
        await new Promise<void>((_, reject) => {
          job.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('aborted'));
          });
        });
      },
      { concurrency: 2 },
    );
    const polite = await driver.enqueue('ingestion', document());
    const ignoring = await driver.enqueue('ingestion', stubbornDoc);
    await waitForJobState(driver, 'ingestion', polite.jobId, 'active');
    await waitForJobState(driver, 'ingestion', ignoring.jobId, 'active');

    const startedAt = Date.now();
    const result = await driver.close({ timeoutMs: 200 });
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(sawAbort).toBe(true);
    expect(result.timedOut).toBe(true);
    expect(result.abandoned).toEqual([{ queue: 'ingestion', jobId: ignoring.jobId }]);
    stubborn.open();
  });

  it('refuses work once closed', async () => {
    await driver.close();
    await expect(driver.enqueue('executions', execution())).rejects.toBeInstanceOf(QueueClosedError);
    await expect(driver.consume('executions', async () => {})).rejects.toBeInstanceOf(QueueClosedError);
    await expect(driver.ping()).rejects.toBeInstanceOf(QueueClosedError);
  });
}
