import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { wrapPglite } from '../client/pglite';
import type { Database } from '../client/types';
import { locateMigrationsDir, migrate, migrationsHash } from '../migrate';
import { truncateAll } from './reset';
import { discard, readOrBuild, snapshotPath } from './snapshot-file';
import type { TestDatabase } from './types';

/**
 * Migrated PGlite data directory as an uncompressed tarball, keyed by the migration set. Booting
 * from it skips initdb and the migrations (~0.5-1 s instead of ~5 s). Cached per process, and
 * shared between processes through a file in the OS temp dir.
 */
interface Snapshot {
  blob: Blob;
  path: string;
  fromFile: boolean;
}

let snapshot: Promise<Snapshot> | undefined;

const createEmpty = () => PGlite.create('memory://', { extensions: { vector } });

async function loadSnapshot(): Promise<Snapshot> {
  const dir = locateMigrationsDir();
  const path = snapshotPath(migrationsHash(dir));
  const { bytes, fromFile } = await readOrBuild(path, async () => {
    const client = await createEmpty();
    const database = wrapPglite(client);
    try {
      await migrate(database, { migrationsDir: dir });
      const dump = await client.dumpDataDir('none');
      return new Uint8Array(await dump.arrayBuffer());
    } finally {
      await database.close();
    }
  });
  return { blob: new Blob([bytes]), path, fromFile };
}

function getSnapshot(): Promise<Snapshot> {
  snapshot ??= loadSnapshot().catch((error: unknown) => {
    snapshot = undefined; // let the next call retry instead of caching the failure
    throw error;
  });
  return snapshot;
}

const boot = (blob: Blob) => PGlite.create({ loadDataDir: blob, extensions: { vector } });

async function bootFromSnapshot(): Promise<PGlite> {
  const first = await getSnapshot();
  try {
    return await boot(first.blob);
  } catch (error) {
    // A file written by another PGlite version may not load: discard it and rebuild once.
    if (!first.fromFile) throw error;
    await discard(first.path);
    snapshot = undefined;
    return boot((await getSnapshot()).blob);
  }
}

/** Builds (or loads) the snapshot now, e.g. in a vitest globalSetup before workers start. */
export async function preparePgliteSnapshot(): Promise<void> {
  await getSnapshot();
}

export async function createPgliteTestDatabase(migrated: boolean): Promise<TestDatabase> {
  const client = migrated ? await bootFromSnapshot() : await createEmpty();
  const database: Database = wrapPglite(client);
  return Object.assign(database, {
    name: 'memory://',
    reset: () => truncateAll(database),
    connectAs: (role: string) => wrapPglite(client, { role, ownsClient: false }),
    async cleanup() {
      await database.close();
    },
  });
}
