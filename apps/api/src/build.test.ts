import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDir } from './test-support/spawn-server';

/**
 * The production artifact: tsup's dist/main.js, run by plain `node`. Built into a cache folder under
 * apps/api so its bare imports resolve from apps/api/node_modules exactly as dist/ would.
 */
const outDir = join(apiDir, 'node_modules', '.cache', 'build-test');
const bundle = join(outDir, 'main.js');
const run = promisify(execFile);

let dataDir: string;

beforeAll(async () => {
  await run(join(apiDir, 'node_modules', '.bin', 'tsup'), ['--out-dir', outDir], { cwd: apiDir });
  dataDir = await mkdtemp(join(tmpdir(), 'agentflow-api-build-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

// Child processes boot PGlite and migrate: seconds on a quiet machine, far more on a loaded one.
describe('bundle', { timeout: 120_000 }, () => {
  it('imports only node built-ins and packages declared in package.json', async () => {
    const code = await readFile(bundle, 'utf8');
    const pkg = JSON.parse(await readFile(join(apiDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const specifiers = [...code.matchAll(/(?:from\s*|import\s*\(\s*)["']([^"']+)["']/g)].map(
      (m) => m[1] ?? '',
    );
    const packages = new Set(
      specifiers
        // `${` : a template literal in a message (`from "${edge.source}"`), not an import.
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
        .filter((s) => !s.includes('${'))
        .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s))),
    );
    expect(packages.size).toBeGreaterThan(0);
    // Workspace packages are compiled in; anything else must be installable with this package.
    const undeclared = [...packages].filter(
      (name) => name.startsWith('@agentflow/') || !pkg.dependencies[name],
    );
    expect(undeclared).toEqual([]);
  });

  it('boots with embedded defaults (no DATABASE_URL / REDIS_URL) and answers /readyz 200', async () => {
    // Env without DATABASE_URL / REDIS_URL: the embedded mode `node dist/main.js` promises.
    const child = spawn(process.execPath, [bundle], {
      cwd: apiDir,
      env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /"msg":"api listening"/.test(stdout) && /"url":"([^"]+)"/.exec(stdout);
        if (match) resolve(match[1] ?? '');
      });
      child.once('exit', () => reject(new Error(`bundle exited early\n${stdout}\n${stderr}`)));
    });
    try {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        checks: { database: { status: 'ok' }, redis: { status: 'disabled' } },
      });
      expect(stdout).toContain('"msg":"migrations applied"');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
