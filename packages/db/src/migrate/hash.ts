import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Journal {
  entries: Array<{ tag: string; when: number }>;
}

/**
 * A short fingerprint of the migration set (journal + every SQL file): test helpers key their
 * migrated templates by it, so editing or adding a migration invalidates them automatically.
 */
export function migrationsHash(dir: string): string {
  const journalText = readFileSync(join(dir, 'meta', '_journal.json'), 'utf8');
  const journal = JSON.parse(journalText) as Journal;
  const hash = createHash('sha256').update(journalText);
  for (const entry of journal.entries) hash.update(readFileSync(join(dir, `${entry.tag}.sql`)));
  return hash.digest('hex').slice(0, 16);
}
