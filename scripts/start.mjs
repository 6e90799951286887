#!/usr/bin/env node
// Starts the built product: API (:4000), web (:3000) and, when REDIS_URL is set, the worker.
// With no DATABASE_URL / REDIS_URL the API uses embedded PGlite in .data/ and the inline queue, so a
// newcomer gets a working product with nothing else installed. Ctrl-C / SIGTERM stops all of them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
env.DATA_DIR ??= join(root, '.data');

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
