import type { KeyObject } from 'node:crypto';

export interface DekCacheOptions {
  /** How long an unwrapped data key is reused before it is read and unwrapped again. Default 5 min. */
  ttlMs?: number;
  /** Most keys kept at once (least recently used go first). Default 1000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Unwrapped org data keys, so the hot path (opening an LLM key before every model call) needs no
 * database round trip. Bounded in size and age: a process holds plaintext DEKs only for orgs it
 * served recently. The TTL is absolute (not refreshed on use), so a key deleted from the database
 * (org deleted) stops being usable here within `ttlMs` at most. Entries are KeyObjects, which neither
 * util.inspect nor JSON.stringify expands into key bytes.
 *
 * Each entry remembers the wrapped text it was unwrapped from. A key row read inside a transaction
 * that later rolls back (a first seal inside a failed request) may be recreated with the same version
 * but other bytes; callers holding the row pass its wrapped text and a mismatch is a miss, and callers
 * without it (the open path) evict and re-read when the cached key fails to authenticate.
 */
export class DekCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { key: KeyObject; wrappedKey: string; expiresAt: number }>();

  constructor(options: DekCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = Math.max(0, options.maxEntries ?? 1000);
    this.#now = options.now ?? Date.now;
  }

  /** With `wrappedKey`, only an entry unwrapped from that exact text is a hit. */
  get(orgId: string, keyVersion: number, wrappedKey?: string): KeyObject | undefined {
    const id = `${orgId}/${keyVersion}`;
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now() || (wrappedKey !== undefined && wrappedKey !== entry.wrappedKey)) {
      this.#entries.delete(id);
      return undefined;
    }
    // Map iteration order is insertion order: re-inserting marks it most recently used.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.key;
  }

  set(orgId: string, keyVersion: number, key: KeyObject, wrappedKey: string): void {
    if (this.#maxEntries === 0 || this.#ttlMs <= 0) return;
    const id = `${orgId}/${keyVersion}`;
    this.#entries.delete(id);
    this.#entries.set(id, { key, wrappedKey, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(orgId: string, keyVersion: number): void {
    this.#entries.delete(`${orgId}/${keyVersion}`);
  }

  /** Drops one org's keys (all versions), or everything. */
  clear(orgId?: string): void {
    if (orgId === undefined) {
      this.#entries.clear();
      return;
    }
    for (const id of [...this.#entries.keys()]) if (id.startsWith(`${orgId}/`)) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }

  toJSON(): { size: number } {
    return { size: this.#entries.size };
  }
}
