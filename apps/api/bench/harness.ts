/**
 * The bench's environment: a fresh Postgres database (migrated, dropped at the end), a unique Redis
 * key prefix, and the API and worker as child processes started from source like production
 * (`node --import tsx src/main.ts`). Everything started is registered for cleanup, which also runs on
 * an error, on SIGINT/SIGTERM, and (children only, by pid) when the process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, migrate } from '@agentflow/db';
import { Redis } from 'ioredis';
import postgres from 'postgres';

export const apiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const workerDir = join(apiDir, '..', 'worker');

type Cleanup = { name: string; run: () => Promise<void> };
const cleanups: Cleanup[] = [];
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | undefined;

/** Registers `run` to happen at cleanup, in reverse order of registration. */
export function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}

/** Runs every registered cleanup once (later calls wait for the first), reporting failures. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (error) {
        console.error(`cleanup "${c.name}" failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}
// Last resort (an exit we did not plan): never leave a child running. Only ours, by pid.
process.once('exit', () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

export interface Services {
  /** Server URL (any database; the bench creates its own on that server). */
  databaseUrl: string;
  redisUrl: string;
  postgresVersion: string;
  redisVersion: string;
  /** The Redis server's pid (its CPU time, when it runs on this machine). */
  redisPid: number | undefined;
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Proves Postgres (with pgvector available) and Redis answer; throws a message naming what failed. */
export async function checkServices(databaseUrl: string, redisUrl: string): Promise<Services> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  let postgresVersion: string;
  try {
    const [row] = await within(sql`select current_setting('server_version') as v`, 8000, 'Postgres');
    postgresVersion = String(row?.v);
    const [vector] = await sql`select 1 from pg_available_extensions where name = 'vector'`;
    if (!vector) throw new Error('the pgvector extension is not installed on this server');
  } catch (error) {
    throw new Error(`Postgres unreachable or unusable at DATABASE_URL: ${(error as Error).message}`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  let redisVersion: string;
  let redisPid: number | undefined;
  try {
    await within(redis.connect(), 5000, 'Redis');
    const info = await redis.info('server');
    redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const pid = /process_id:(\d+)/.exec(info)?.[1];
    redisPid = pid ? Number(pid) : undefined;
  } catch (error) {
    throw new Error(`Redis unreachable at REDIS_URL: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return { databaseUrl, redisUrl, postgresVersion, redisVersion, redisPid };
}

export function databaseUrlFor(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates `af_bench_<random>` on the server, migrates it with `migrate()` (as the connecting user,
 * like the API on boot) and registers its drop (forced: a crashed child may still hold connections).
 */
export async function createBenchDatabase(
  serverUrl: string,
  options: { settings?: Array<[string, string]> } = {},
): Promise<string> {
  const name = `af_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`create database ${admin(name)}`;
    // What-ifs for this database only (sessions opened from now on), never the server's settings.
    // The caller checked both parts against [a-z_.] / [A-Za-z0-9_.-].
    for (const [setting, value] of options.settings ?? []) {
      await admin.unsafe(`alter database "${name}" set ${setting} = '${value}'`);
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  onCleanup(`drop database ${name}`, async () => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`drop database if exists ${sql(name)} with (force)`;
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
  const database = await createDb({ databaseUrl: databaseUrlFor(serverUrl, name), maxConnections: 1 });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return name;
}

/** Deletes every Redis key under the bench's queue prefix at cleanup (BullMQ queues, job schedulers). */
export function registerRedisCleanup(redisUrl: string, prefix: string): void {
  onCleanup(`delete Redis keys ${prefix}:*`, async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Last lines of its log (for error messages). */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

let logDir: string | undefined;
function logDirectory(): string {
  if (!logDir) {
    const dir = mkdtempSync(join(tmpdir(), 'af-bench-'));
    logDir = dir;
    // Logs are kept when the bench failed (the path is printed), removed after a clean run.
    onCleanup('remove child logs', async () => {
      if (process.exitCode === undefined || process.exitCode === 0)
        rmSync(dir, { recursive: true, force: true });
      else console.error(`child logs kept in ${dir}`);
    });
  }
  return logDir;
}

/**
 * Starts a TypeScript entry with `node --import tsx` in `cwd`, stdout and stderr to a log file (so
 * the bench process never spends time reading them), and resolves once a JSON log line has `msg`
 * equal to `readyMsg`. The child is stopped at cleanup: SIGTERM, then SIGKILL after 15 s.
 */
export async function startChild(
  name: string,
  cwd: string,
  entry: string,
  env: Record<string, string>,
  readyMsg: string,
  options: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<Child> {
  const logFile = join(logDirectory(), `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  onCleanup(`stop ${name} (pid ${child.pid})`, stop);

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before "${readyMsg}":\n${tail()}`,
      );
    }
    const ready = readFileSync(logFile, 'utf8')
      .split('\n')
      .some((line) => line.includes(`"msg":"${readyMsg}"`));
    if (ready) break;
    if (Date.now() > deadline)
      throw new Error(`${name} not ready after ${options.timeoutMs ?? 90_000} ms:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, child, logFile, tail, stop };
}

/** A vault master key for the children (`id:base64(32 bytes)`), the same for API and worker. */
export const randomMasterKeys = () => `bench1:${randomBytes(32).toString('base64')}`;
