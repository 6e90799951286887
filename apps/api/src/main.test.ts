import { describe, expect, it } from 'vitest';
import { spawnServer } from './test-support/spawn-server';

// Child processes boot PGlite and migrate: seconds on a quiet machine, far more on a loaded one.
describe('main.ts startup', { timeout: 120_000 }, () => {
  it('exits 1 with a message naming a bad variable', async () => {
    const server = spawnServer('src/main.ts', { PORT: 'not-a-port', DATA_DIR: 'memory://' });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.stderr()).toContain('Invalid environment configuration');
    expect(server.stderr()).toMatch(/PORT: must be an integer/);
    expect(server.stdout).toEqual([]); // it stopped before opening anything
  });

  it('names every bad variable at once', async () => {
    const server = spawnServer('src/main.ts', {
      PORT: '99999',
      REDIS_URL: 'http://nope',
      DATA_DIR: 'memory://',
    });
    expect((await server.exited).code).toBe(1);
    expect(server.stderr()).toContain('PORT');
    expect(server.stderr()).toContain('REDIS_URL');
  });
});
