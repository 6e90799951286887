import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { LogLine } from './index';

const appDir = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerRun {
  child: ChildProcess;
  lines: LogLine[];
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM: graceful drain; SIGKILL: a crash) and waits for the exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs src/main.ts the way `node dist/main.js` runs in production (tsx only compiles), with an
 * explicit environment so the developer's shell cannot leak settings into the test.
 */
export function runWorker(env: Record<string, string>): WorkerRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const lines: LogLine[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    // A chunk may end mid-line: keep the tail for the next one.
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.startsWith('{')) lines.push(JSON.parse(line));
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const stop = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, lines, output: () => stdout + stderr, exited, stop };
}

/** Settings every spawned test worker shares: its database on the DATABASE_URL server, its queue prefix. */
export interface TestWorkerTarget {
  /** `TestDatabase.name` (an `af_test_*` database on the DATABASE_URL server). */
  databaseName: string;
  queuePrefix: string;
  /** Where knowledge files live (`${DATA_DIR}/files`). */
  dataDir: string;
}

/** Spawns src/main.ts against the test's database and Redis prefix; resolves once it logged "worker ready". */
export async function startTestWorker(
  target: TestWorkerTarget,
  env: Record<string, string> = {},
): Promise<WorkerRun> {
  const redisUrl = process.env.REDIS_URL;
  const databaseUrl = process.env.DATABASE_URL;
  if (!redisUrl || !databaseUrl) throw new Error('worker processes need REDIS_URL and DATABASE_URL');
  const url = new URL(databaseUrl);
  url.pathname = `/${target.databaseName}`;
  const run = runWorker({
    REDIS_URL: redisUrl,
    DATABASE_URL: url.toString(),
    QUEUE_PREFIX: target.queuePrefix,
    DATA_DIR: target.dataDir,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '1000',
    ...env,
  });
  const deadline = Date.now() + 60_000;
  while (!run.lines.some((line) => line.msg === 'worker ready')) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`the worker did not become ready: ${run.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return run;
}
