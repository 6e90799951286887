import { open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'agentflow-pglite-';
// A builder takes ~5-15 s; a lock this old belongs to a process that died mid-build.
const STALE_LOCK_MS = 2 * 60 * 1000;
// Snapshots of older migration sets are ~40 MB each; collect those untouched for this long.
const OLD_SNAPSHOT_MS = 60 * 60 * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function snapshotPath(key: string): string {
  return join(tmpdir(), `${PREFIX}${key}.tar`);
}

export interface SnapshotBytes {
  bytes: Uint8Array;
  /** True when another process built it. */
  fromFile: boolean;
}

async function tryRead(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}

/**
 * Returns the file's bytes, building it first if missing. Test workers start together: an
 * exclusive lock file lets one of them build while the others wait for the result, instead of
 * every worker spending seconds of CPU on the same initdb + migrations. The file is written under
 * a temp name and renamed, so a reader never sees half of it.
 */
export async function readOrBuild(path: string, build: () => Promise<Uint8Array>): Promise<SnapshotBytes> {
  const lockPath = `${path}.lock`;
  for (;;) {
    const existing = await tryRead(path);
    if (existing) return { bytes: existing, fromFile: true };

    const lock = await open(lockPath, 'wx').catch((error: { code?: string }) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (!lock) {
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await unlink(lockPath).catch(() => {});
      await sleep(200);
      continue;
    }
    try {
      const raced = await tryRead(path);
      if (raced) return { bytes: raced, fromFile: true };
      const bytes = await build();
      const tmp = `${path}.${process.pid}.${Date.now()}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
      await removeOldSnapshots(path);
      return { bytes, fromFile: false };
    } finally {
      await lock.close();
      await unlink(lockPath).catch(() => {});
    }
  }
}

export async function discard(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}

async function removeOldSnapshots(keep: string): Promise<void> {
  const dir = tmpdir();
  const cutoff = Date.now() - OLD_SNAPSHOT_MS;
  for (const file of await readdir(dir).catch(() => [])) {
    const path = join(dir, file);
    if (!file.startsWith(PREFIX) || path === keep) continue;
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await unlink(path).catch(() => {});
  }
}
