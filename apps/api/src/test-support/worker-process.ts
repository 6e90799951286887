import { join } from 'node:path';
import { apiDir, type SpawnedServer, spawnServer } from './spawn-server';

/** The worker's real entry point, run from source in its own Node process. */
export const workerEntry = join(apiDir, '..', 'worker', 'src', 'main.ts');

export interface WorkerProcessOptions {
  /** The test database's name on the DATABASE_URL server. */
  databaseName: string;
  /** Same QUEUE_PREFIX as the test's BullMQ driver, so the worker consumes the test's jobs only. */
  queuePrefix: string;
  env?: Record<string, string>;
}

/** DATABASE_URL of another database on the same server. */
export function databaseUrlFor(name: string): string {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('worker processes need DATABASE_URL');
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Starts `apps/worker` as a separate process (real BullMQ consumer, Redis bus, executions runtime) and
 * resolves once it logged "worker ready". Kill it with `child.kill('SIGKILL')` to simulate a crash.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<SpawnedServer> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('worker processes need REDIS_URL');
  const worker = spawnServer(workerEntry, {
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrlFor(options.databaseName),
    QUEUE_PREFIX: options.queuePrefix,
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    ...options.env,
  });
  await worker.waitForLog((line) => line.msg === 'worker ready', 90_000);
  return worker;
}

/** SIGTERM (graceful drain) or SIGKILL, then waits for the exit. */
export async function stopWorkerProcess(worker: SpawnedServer, signal: NodeJS.Signals = 'SIGTERM') {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill(signal);
  return worker.exited;
}
