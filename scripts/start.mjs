#!/usr/bin/env node
// Starts the built product: API (:4000), web (:3000) and, when REDIS_URL is set, the worker.
// With no DATABASE_URL / REDIS_URL the API uses embedded PGlite in .data/ and the inline queue, so a
// newcomer gets a working product with nothing else installed. Ctrl-C / SIGTERM stops all of them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
env.DATA_DIR ??= join(root, '.data');
loadLocalSecrets(env);

/**
 * Production mode requires JWT_SECRET and MASTER_KEYS. For a local start we generate them once and
 * keep them in DATA_DIR/secrets.json (mode 0600), so sessions and encrypted credentials survive a
 * restart. Values already in the environment always win; deployments set their own.
 */
function loadLocalSecrets(target) {
  const file = join(target.DATA_DIR, 'secrets.json');
  let stored = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8'));
  const generated = {
    JWT_SECRET: stored.JWT_SECRET ?? randomBytes(48).toString('base64url'),
    MASTER_KEYS: stored.MASTER_KEYS ?? `local1:${randomBytes(32).toString('base64')}`,
  };
  if (!stored.JWT_SECRET || !stored.MASTER_KEYS) {
    mkdirSync(target.DATA_DIR, { recursive: true });
    writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
    console.error(`start: generated local secrets in ${file} (keep it private; deployments set their own)`);
  }
  target.JWT_SECRET ??= generated.JWT_SECRET;
  target.MASTER_KEYS ??= generated.MASTER_KEYS;
}

const services = [
  {
    name: 'api',
    cwd: 'apps/api',
    cmd: process.execPath,
    args: ['dist/main.js'],
    built: 'apps/api/dist/main.js',
  },
  {
    name: 'web',
    cwd: 'apps/web',
    cmd: process.execPath,
    args: [join(root, 'apps/web/node_modules/next/dist/bin/next'), 'start', '--port', env.WEB_PORT ?? '3000'],
    built: 'apps/web/.next/BUILD_ID',
  },
];
if (env.REDIS_URL) {
  services.push({
    name: 'worker',
    cwd: 'apps/worker',
    cmd: process.execPath,
    args: ['dist/main.js'],
    built: 'apps/worker/dist/main.js',
  });
}

for (const s of services) {
  if (!existsSync(join(root, s.built))) {
    console.error(
      `start: ${s.built} is missing. Run "pnpm build" first (or use "pnpm start", which builds).`,
    );
    process.exit(1);
  }
}

const children = services.map((s) => {
  // detached: each service leads its own process group, so next-server's children die with it.
  const child = spawn(s.cmd, s.args, { cwd: join(root, s.cwd), env, stdio: 'inherit', detached: true });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`start: ${s.name} exited (${signal ?? code}); stopping the others`);
      stop(code ?? 1);
    }
  });
  return child;
});

console.error(
  `start: AgentFlow on http://localhost:${env.WEB_PORT ?? '3000'} (API http://localhost:${env.PORT ?? '4000'}, ` +
    `${env.DATABASE_URL ? 'Postgres' : `embedded PGlite in ${env.DATA_DIR}`}, ` +
    `${env.REDIS_URL ? 'Redis + worker' : 'inline queue'})`,
);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  const deadline = setTimeout(() => process.exit(code), 15_000);
  deadline.unref();
  Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
