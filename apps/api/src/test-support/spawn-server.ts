import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const apiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SpawnedServer {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first JSON log line matching `predicate` (rejects if the process exits first). */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Runs a TypeScript entry (`src/main.ts` or a fixture) in a real Node process through tsx's loader.
 * `node --import tsx` rather than the tsx CLI: the CLI is a parent process that relays signals, and
 * these tests are about how *our* process handles SIGTERM.
 */
export function spawnServer(entry: string, env: Record<string, string | undefined>): SpawnedServer {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: apiDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  const listeners = new Set<() => void>();
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    stdout.push(...lines.filter(Boolean));
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });

  function parsed(): Record<string, unknown>[] {
    return stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  function waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 60_000) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(
            `log line not seen in ${timeoutMs}ms.\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`,
          ),
        );
      }, timeoutMs);
      function check() {
        const found = parsed().find(predicate);
        if (found) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          listeners.delete(check);
          reject(
            new Error(
              `process exited before the log line.\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`,
            ),
          );
        }
      }
      listeners.add(check);
      check();
    });
  }

  return { child, stdout, stderr: () => stderr, exited, waitForLog };
}
