import { connect } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedServer, spawnServer } from './test-support/spawn-server';

/**
 * Graceful shutdown, in a real child process: a SIGTERM must let the request in flight finish, refuse
 * new connections, close the database (and Redis when REDIS_URL is set) and exit 0.
 * With DATABASE_URL set the child uses an isolated test database on that server; otherwise PGlite.
 */

let testDb: TestDatabase | undefined;
let server: SpawnedServer | undefined;

afterEach(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null)
    server.child.kill('SIGKILL');
  await server?.exited;
  server = undefined;
  await testDb?.cleanup();
  testDb = undefined;
});

async function databaseEnv(): Promise<Record<string, string>> {
  if (!process.env.DATABASE_URL) return { DATA_DIR: 'memory://' };
  testDb = await createTestDatabase();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${testDb.name}`;
  return { DATABASE_URL: url.toString() };
}

async function start(extraEnv: Record<string, string>): Promise<string> {
  server = spawnServer('src/test-support/serve-fixture.ts', {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(await databaseEnv()),
    ...extraEnv,
  });
  const listening = await server.waitForLog((line) => line.msg === 'api listening');
  return String(listening.url);
}

function connectionRefused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Child processes boot PGlite and migrate: seconds on a quiet machine, far more on a loaded one.
describe('graceful shutdown', { timeout: 120_000 }, () => {
  it('finishes the in-flight request, refuses new connections, closes resources, exits 0', async () => {
    const url = await start({ SHUTDOWN_TIMEOUT_MS: '10000' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    let settled = false;
    const inFlight = fetch(`${url}/api/v1/test/slow?ms=1500`).finally(() => {
      settled = true;
    });
    await server!.waitForLog(
      (line) =>
        line.msg === 'incoming request' && String((line.req as { url: string }).url).includes('/test/slow'),
    );
    server!.child.kill('SIGTERM');
    await server!.waitForLog((line) => line.msg === 'shutdown requested; draining');

    // The listener closes a moment after the signal is logged: poll until it refuses.
    expect(await eventually(() => connectionRefused(url), 1000)).toBe(true);
    expect(settled).toBe(false); // ... while the slow request is still being served

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, waited_ms: 1500 });

    const { code } = await server!.exited;
    expect(code).toBe(0);
    await server!.waitForLog((line) => line.msg === 'shutdown complete');
  });

  it('cuts off requests that outlive SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const url = await start({ SHUTDOWN_TIMEOUT_MS: '300' });
    const inFlight = fetch(`${url}/api/v1/test/slow?ms=20000`).then(
      (res) => res.status,
      () => 'aborted' as const,
    );
    await server!.waitForLog((line) => line.msg === 'incoming request');
    const started = Date.now();
    server!.child.kill('SIGTERM');
    expect(await inFlight).toBe('aborted');
    const { code } = await server!.exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    await server!.waitForLog(
      (line) => line.level === 40 && String(line.msg).includes('exceeded the shutdown timeout'),
    );
  });
});
