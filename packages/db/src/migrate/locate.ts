import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const JOURNAL = join('meta', '_journal.json');

export interface LocateOptions {
  /** Explicit folder holding `meta/_journal.json`; wins over everything else. */
  migrationsDir?: string | undefined;
}

function hasJournal(dir: string): boolean {
  return existsSync(join(dir, JOURNAL));
}

/** Walks from `start` to the filesystem root looking for `<dir>/drizzle/meta/_journal.json`. */
function walkUp(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'drizzle');
    if (hasJournal(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function moduleDir(): string | undefined {
  // Bundlers that emit CJS may leave import.meta.url undefined; the cwd fallback covers that.
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * Finds the repo's top-level `drizzle/` folder. Walking up from this module works both from source
 * (packages/db/src/migrate) and from a tsup bundle (apps/api/dist), since both live under the repo.
 * Order: option, env MIGRATIONS_DIR, walk up from this module, walk up from the cwd.
 */
export function locateMigrationsDir(options: LocateOptions = {}): string {
  const explicit = options.migrationsDir ?? process.env.MIGRATIONS_DIR;
  if (explicit) {
    const dir = resolve(explicit);
    if (!hasJournal(dir)) {
      throw new Error(`Migrations folder ${dir} has no ${JOURNAL} (from option or MIGRATIONS_DIR)`);
    }
    return dir;
  }
  const fromModule = moduleDir();
  const found = (fromModule && walkUp(fromModule)) || walkUp(process.cwd());
  if (!found) {
    throw new Error(
      `Could not find drizzle/${JOURNAL} above ${fromModule ?? '(unknown module dir)'} or ${process.cwd()}; ` +
        'set MIGRATIONS_DIR to the folder holding the SQL migrations',
    );
  }
  return found;
}
