import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedServer, spawnServer } from '../test-support/spawn-server';

/**
 * The real server process (main.ts path: config -> createDb -> migrate -> listen) runs its queries as
 * DATABASE_APP_ROLE, not as the connecting user: with the default role it is ready; with a role that
 * does not exist its database check fails even though migrating (as the owner) worked.
 * Real Postgres with DATABASE_URL (a fresh test database), PGlite otherwise.
 */

let testDb: TestDatabase | undefined;
let server: SpawnedServer | undefined;

afterEach(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
  }
  await server?.exited;
  server = undefined;
  await testDb?.cleanup();
  testDb = undefined;
});

async function start(env: Record<string, string>): Promise<{ url: string; role: unknown }> {
  let database: Record<string, string> = { DATA_DIR: 'memory://' };
  if (process.env.DATABASE_URL) {
    testDb = await createTestDatabase();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${testDb.name}`;
    database = { DATABASE_URL: url.toString() };
  }
  server = spawnServer('src/test-support/serve-fixture.ts', {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...database,
    ...env,
  });
  const opened = await server.waitForLog((line) => line.msg === 'database opened', 60_000);
  const listening = await server.waitForLog((line) => line.msg === 'api listening', 60_000);
  return { url: String(listening.url), role: opened.role };
}

// Child processes boot PGlite and migrate: seconds on a quiet machine, far more on a loaded one.
describe('the API database role', { timeout: 120_000 }, () => {
  it('is agentflow_app by default, and the server is ready with it', async () => {
    const { url, role } = await start({});
    expect(role).toBe('agentflow_app');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('is really used: a role that does not exist makes the database check fail', async () => {
    const { url, role } = await start({ DATABASE_APP_ROLE: 'agentflow_no_such_role' });
    expect(role).toBe('agentflow_no_such_role');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: { details: { failed: string[] } } };
    expect(body.error.details.failed).toEqual(['database']);
  });
});
