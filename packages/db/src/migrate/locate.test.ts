import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateMigrationsDir } from './locate';

describe('locateMigrationsDir', () => {
  const saved = process.env.MIGRATIONS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.MIGRATIONS_DIR;
    else process.env.MIGRATIONS_DIR = saved;
  });

  it('finds the repo drizzle/ folder by walking up from the module', () => {
    delete process.env.MIGRATIONS_DIR;
    expect(locateMigrationsDir()).toBe(resolve(import.meta.dirname, '../../../../drizzle'));
  });

  it('prefers the option, then MIGRATIONS_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-migrations-'));
    try {
      mkdirSync(join(dir, 'meta'));
      writeFileSync(join(dir, 'meta', '_journal.json'), '{"entries":[]}');
      process.env.MIGRATIONS_DIR = '/nonexistent';
      expect(locateMigrationsDir({ migrationsDir: dir })).toBe(dir);
      process.env.MIGRATIONS_DIR = dir;
      expect(locateMigrationsDir()).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the folder when an explicit one has no journal', () => {
    expect(() => locateMigrationsDir({ migrationsDir: '/nonexistent/drizzle' })).toThrow(
      /\/nonexistent\/drizzle has no meta\/_journal.json/,
    );
  });
});
