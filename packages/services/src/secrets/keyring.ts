import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { KEY_BYTES } from './aead';
import { DekCache, type DekCacheOptions } from './dek-cache';
import { MasterKeyConfigError } from './errors';

/** One instance master key. `key` is a KeyObject: logging or serialising it never prints the bytes. */
export interface MasterKey {
  readonly id: string;
  readonly key: KeyObject;
}

/** The environment variables the keyring reads (pass `process.env`). */
export interface MasterKeysEnv {
  MASTER_KEYS?: string | undefined;
  NODE_ENV?: string | undefined;
}

export interface KeyringOptions {
  /** Where the "insecure development key" warning goes. Default console.warn. */
  warn?: (message: string) => void;
  /** Unwrapped data key cache settings (`{ ttlMs: 0 }` disables it). */
  cache?: DekCacheOptions;
}

/** Written to org_data_keys.master_key_id when the development fallback wrapped a key. */
export const DEV_MASTER_KEY_ID = 'dev-insecure';

// Ids go into org_data_keys.master_key_id (varchar 100) and into global-secret envelopes, where '.'
// separates fields: keep them to a conservative alphabet.
const MASTER_KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function fail(ctx: z.RefinementCtx<string>, message: string): typeof z.NEVER {
  // `input` deliberately left out of the issue: an entry may be a key, and issues get printed.
  ctx.issues.push({ code: 'custom', message, input: undefined });
  return z.NEVER;
}

// Messages name the entry by position only: a misordered `key:id` would otherwise print the key.
const entrySchema = z.string().transform((entry, ctx): { id: string; bytes: Buffer } => {
  const colon = entry.indexOf(':');
  if (colon < 0) return fail(ctx, 'must look like <id>:<base64 of 32 random bytes>');
  const id = entry.slice(0, colon).trim();
  const encoded = entry.slice(colon + 1).trim();
  if (!MASTER_KEY_ID.test(id)) return fail(ctx, 'id must be 1-64 characters of A-Z a-z 0-9 _ -');
  if (!BASE64.test(encoded)) return fail(ctx, 'key is not base64');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== KEY_BYTES) {
    return fail(ctx, `key must decode to exactly ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
  // A placeholder copied from docs (all zeros, all 'A's) is not a key.
  if (bytes.every((byte) => byte === bytes[0]))
    return fail(ctx, 'key is a constant byte pattern, not random');
  return { id, bytes };
});

const masterKeysSchema = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()))
  .pipe(z.array(entrySchema).min(1))
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.id))
        ctx.addIssue({ code: 'custom', message: 'duplicate master key id', path: [index] });
      seen.add(entry.id);
    });
  });

/**
 * Parses `MASTER_KEYS` (`id:base64,id:base64,...`, the first entry is current). Throws
 * MasterKeyConfigError naming each bad entry by position and never echoing key material.
 */
export function parseMasterKeys(value: string): MasterKey[] {
  const parsed = masterKeysSchema.safeParse(value);
  if (!parsed.success) {
    throw new MasterKeyConfigError(
      parsed.error.issues.map((issue) => ({
        variable: 'MASTER_KEYS',
        message:
          typeof issue.path[0] === 'number' ? `entry ${issue.path[0] + 1}: ${issue.message}` : issue.message,
      })),
    );
  }
  return parsed.data.map(({ id, bytes }) => ({ id, key: createSecretKey(bytes) }));
}

/**
 * The startup check apps call next to their own env validation: no issues means createKeyring(env)
 * will succeed. Production without MASTER_KEYS is an issue; elsewhere it only means the development key.
 */
export function validateMasterKeysEnv(env: MasterKeysEnv): { variable: string; message: string }[] {
  const value = env.MASTER_KEYS?.trim();
  if (!value) {
    return env.NODE_ENV === 'production'
      ? [{ variable: 'MASTER_KEYS', message: 'is required in production (id:base64 of 32 random bytes)' }]
      : [];
  }
  try {
    parseMasterKeys(value);
    return [];
  } catch (error) {
    if (error instanceof MasterKeyConfigError) return error.issues;
    throw error;
  }
}

/** The master keys of this process plus its cache of unwrapped org data keys. */
export class Keyring {
  /** New data keys (and global secrets) are wrapped with this one. */
  readonly current: MasterKey;
  /** true when MASTER_KEYS was unset outside production and the public development key is in use. */
  readonly insecureDevelopmentKey: boolean;
  readonly dataKeys: DekCache;
  readonly #byId: ReadonlyMap<string, MasterKey>;

  constructor(
    keys: MasterKey[],
    options: { insecureDevelopmentKey?: boolean; cache?: DekCacheOptions } = {},
  ) {
    const [current] = keys;
    if (!current)
      throw new MasterKeyConfigError([{ variable: 'MASTER_KEYS', message: 'no master key given' }]);
    this.current = current;
    this.#byId = new Map(keys.map((key) => [key.id, key]));
    this.insecureDevelopmentKey = options.insecureDevelopmentKey ?? false;
    this.dataKeys = new DekCache(options.cache);
  }

  get(id: string): MasterKey | undefined {
    return this.#byId.get(id);
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  toJSON(): { current: string; ids: string[]; insecureDevelopmentKey: boolean } {
    return { current: this.current.id, ids: this.ids, insecureDevelopmentKey: this.insecureDevelopmentKey };
  }
}

/**
 * Builds the keyring from the environment. MASTER_KEYS set: parsed strictly (throws
 * MasterKeyConfigError). Unset: in production that is an error; otherwise a development key derived
 * from a public constant is used and a warning is logged, so `pnpm dev` needs no setup while data
 * sealed that way is plainly marked (`master_key_id = 'dev-insecure'`) as protected by nothing.
 */
export function createKeyring(env: MasterKeysEnv, options: KeyringOptions = {}): Keyring {
  const issues = validateMasterKeysEnv(env);
  if (issues.length > 0) throw new MasterKeyConfigError(issues);
  const value = env.MASTER_KEYS?.trim();
  if (value) return new Keyring(parseMasterKeys(value), { cache: options.cache });
  (options.warn ?? console.warn)(
    `MASTER_KEYS is not set: secrets are encrypted with the built-in development master key ` +
      `("${DEV_MASTER_KEY_ID}"), which is public. Never use it for real credentials; production requires MASTER_KEYS.`,
  );
  return new Keyring([developmentMasterKey()], { insecureDevelopmentKey: true, cache: options.cache });
}

function developmentMasterKey(): MasterKey {
  // Deterministic (not random per process) so secrets saved under `pnpm dev` still open after a restart.
  const bytes = hkdfSync(
    'sha256',
    'agentflow public development master key',
    '',
    'agentflow/master-key/v1',
    32,
  );
  return { id: DEV_MASTER_KEY_ID, key: createSecretKey(Buffer.from(bytes)) };
}
