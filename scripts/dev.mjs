#!/usr/bin/env node
// `pnpm dev`: API + web in watch mode through turbo, plus the worker when REDIS_URL is set (without
// Redis the API runs jobs itself through the inline queue, and the worker would refuse to start).
import { spawn } from 'node:child_process';

const filters = ['@agentflow/api', '@agentflow/web'];
if (process.env.REDIS_URL) filters.push('@agentflow/worker');
const args = ['run', 'dev', ...filters.map((f) => `--filter=${f}`), ...process.argv.slice(2)];
const child = spawn('turbo', args, { stdio: 'inherit', shell: process.platform === 'win32' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
