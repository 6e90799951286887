import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built product (API, worker, web) as separate OS processes, the way a user runs it. */
export interface Stack {
  webUrl: string;
  apiUrl: string;
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, '../../..');

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(url: string, timeoutMs: number, proc: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`e2e: ${name} exited with ${proc.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`e2e: ${url} did not answer 200 within ${timeoutMs} ms`);
}

function launch(
  name: string,
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): ChildProcess {
  // Own process group, so next-server's child dies with it on stop().
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 200) tail.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    // 143 / SIGTERM is our own stop(); anything else is a crash worth its log tail.
    if (signal === null && code !== 0 && code !== 143)
      process.stderr.write(`e2e: ${name} exited ${code}\n${tail.join('')}\n`);
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts API (:4000, the address the web build forwards /api to), worker (when REDIS_URL is set) and
 * web (:3000) from their build outputs. With DATABASE_URL it uses `databaseUrl` (a fresh database);
 * without, an embedded PGlite in a temporary directory.
 */
export async function startStack(opts: {
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra environment for the API (e.g. WORKOS_* pointing at a fake WorkOS, SMTP_URL at a test server). */
  apiEnv?: Record<string, string>;
}): Promise<Stack> {
  const apiPort = 4000;
  const webPort = Number(process.env.E2E_WEB_PORT ?? 3000);
  for (const port of [apiPort, webPort]) {
    if (await portInUse(port)) {
      throw new Error(`e2e: port ${port} is already in use; stop whatever runs there (a dev server?) first`);
    }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'agentflow-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    CORS_ORIGINS: `http://localhost:${webPort},http://127.0.0.1:${webPort}`,
    // The address the browser uses: invitation links and the SSO callback must land on this origin,
    // where the refresh cookie lives.
    APP_URL: `http://127.0.0.1:${webPort}`,
    QUEUE_PREFIX: `af-e2e-${process.pid}`,
    // Every page load refreshes the session (a public /auth/* call): the suites would outrun the
    // production limit of 10 per minute per IP that all of them share here.
    RATE_LIMIT_AUTH_MAX: '1000',
    // Production mode requires real secrets; these exist only for this run.
    JWT_SECRET: randomBytes(48).toString('base64url'),
    MASTER_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  if (opts.redisUrl) env.REDIS_URL = opts.redisUrl;

  const apiEnv: NodeJS.ProcessEnv = { ...env, ...opts.apiEnv };

  const node = process.execPath;
  const procs: ChildProcess[] = [];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  try {
    const api = launch('api', node, ['dist/main.js'], join(root, 'apps/api'), apiEnv);
    procs.push(api);
    await waitFor(`${apiUrl}/readyz`, 60_000, api, 'api');
    if (opts.redisUrl) {
      procs.push(launch('worker', node, ['dist/main.js'], join(root, 'apps/worker'), env));
    }
    const nextBin = join(root, 'apps/web/node_modules/next/dist/bin/next');
    const web = launch(
      'web',
      node,
      [nextBin, 'start', '--port', String(webPort)],
      join(root, 'apps/web'),
      env,
    );
    procs.push(web);
    await waitFor(webUrl, 60_000, web, 'web');
  } catch (err) {
    await Promise.all(procs.map(kill));
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    webUrl,
    apiUrl,
    async stop() {
      await Promise.all(procs.reverse().map(kill));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
