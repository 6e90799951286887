import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix } from '@agentflow/queue/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

/**
 * The production artifact: tsup's bundle run by plain `node`, built into a cache folder under
 * apps/worker so its bare imports resolve from this app's node_modules exactly as dist/ would. ESM
 * resolves every import at startup, so an npm package the bundle needs but this package.json does
 * not declare fails here (ERR_MODULE_NOT_FOUND) instead of in production.
 */
const appDir = join(import.meta.dirname, '..');
const outDir = join(appDir, 'node_modules', '.cache', 'build-test');
const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)(`bundle${redisUrl ? '' : ` (${REDIS_SKIP_REASON})`}`, { timeout: 120_000 }, () => {
  it('starts from dist with only its declared dependencies and stops cleanly on SIGTERM', async () => {
    await promisify(execFile)(join(appDir, 'node_modules', '.bin', 'tsup'), ['--out-dir', outDir], {
      cwd: appDir,
    });
    const prefix = uniquePrefix('worker-build');
    const child = spawn(process.execPath, [join(outDir, 'main.js')], {
      cwd: appDir,
      env: { PATH: process.env.PATH, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('worker ready')) {
        if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`worker not ready in 90 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code, output).toBe(0);
      expect(output).not.toContain('ERR_MODULE_NOT_FOUND');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const redis = new Redis(redisUrl as string);
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
