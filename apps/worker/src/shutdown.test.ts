import { afterEach, describe, expect, it } from 'vitest';
import { installShutdown } from './shutdown';
import { memoryLogger } from './test-support';
import type { WorkerCloseResult, WorkerHandle } from './worker';

function fakeWorker(result: Promise<WorkerCloseResult>) {
  let closes = 0;
  const worker: WorkerHandle = {
    queues: [],
    close: () => {
      closes += 1;
      return result;
    },
  };
  return { worker, closes: () => closes };
}

describe('installShutdown', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it('closes the worker on SIGTERM and exits 0 when everything closed cleanly', async () => {
    const { logger, lines } = memoryLogger();
    const { worker, closes } = fakeWorker(Promise.resolve({ clean: true, timedOut: false, abandoned: [] }));
    const exits: number[] = [];
    uninstall = installShutdown({
      worker,
      logger,
      shutdownTimeoutMs: 1_000,
      exit: (code) => void exits.push(code),
    });
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));
    expect(closes()).toBe(1);
    expect(exits).toEqual([0]);
    expect(lines.map((line) => line.msg)).toEqual([
      'shutting down: no new jobs, waiting for active ones',
      'worker stopped',
    ]);
  });

  it('exits 1 when jobs had to be aborted', async () => {
    const { logger } = memoryLogger();
    const { worker } = fakeWorker(Promise.resolve({ clean: false, timedOut: true, abandoned: [] }));
    const exits: number[] = [];
    uninstall = installShutdown({
      worker,
      logger,
      shutdownTimeoutMs: 1_000,
      exit: (code) => void exits.push(code),
    });
    process.emit('SIGINT', 'SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1]);
  });

  it('a second signal exits 1 at once without closing twice', async () => {
    const { logger } = memoryLogger();
    const { worker, closes } = fakeWorker(new Promise(() => {}));
    const exits: number[] = [];
    uninstall = installShutdown({
      worker,
      logger,
      shutdownTimeoutMs: 1_000,
      exit: (code) => void exits.push(code),
    });
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(closes()).toBe(1);
    expect(exits).toEqual([1]);
  });
});
