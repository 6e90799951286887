import { APP_ROLE, type Db } from '@agentflow/db';
import { orgDataKeys } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromB64url, toB64url } from './aead';
import { insertActiveKey } from './data-keys';
import { SecretDecryptionError, type SecretDecryptionReason } from './errors';
import { Keyring } from './keyring';
import { insertOrg, testMasterKeys } from './test-support';
import { openSecret, openSecretObject, openSecretText, type SecretsContext, sealSecret } from './vault';

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const SECRET = 'sk-test-9f3b2c71d4e58a06b1c2d3e4f5a6b7c8';
const purpose = 'llm_model.api_key:00000000-0000-4000-8000-000000000001';

let database: TestDatabase;
let app: Db; // the vault runs as agentflow_app, like the API: RLS applies
const { keyring } = testMasterKeys('k1');

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
}, 120_000);
afterAll(async () => {
  await database?.cleanup();
});

async function newOrg(): Promise<SecretsContext> {
  return { db: app, orgId: await insertOrg(database.db), keyring };
}

async function reasonOf(promise: Promise<unknown>): Promise<SecretDecryptionReason> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretDecryptionError);
  const message = (error as Error).message;
  expect(message).not.toContain(SECRET);
  return (error as SecretDecryptionError).reason;
}

describe(`vault (${driver})`, { timeout: 60_000 }, () => {
  it('round-trips strings and objects, and a fresh seal never repeats a ciphertext', async () => {
    const ctx = await newOrg();
    const a = await sealSecret(ctx, SECRET, { purpose });
    const b = await sealSecret(ctx, SECRET, { purpose });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.1\./);
    expect(a).not.toContain(SECRET);
    expect(await openSecretText(ctx, a, { purpose })).toBe(SECRET);
    expect(await openSecret(ctx, b, { purpose })).toBe(SECRET);

    const creds = { access_token: 'xoxb-abc', refresh_token: 'r-123', expires_in: 3600, scopes: ['a'] };
    const sealed = await sealSecret(ctx, creds, { purpose: 'integration.credentials:x' });
    expect(await openSecretObject(ctx, sealed, { purpose: 'integration.credentials:x' })).toEqual(creds);
    await expect(openSecretObject(ctx, a, { purpose })).rejects.toThrow(TypeError);
  });

  it('creates one data key per org lazily, stored wrapped only', async () => {
    const ctx = await newOrg();
    expect(await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, ctx.orgId))).toHaveLength(
      0,
    );
    await sealSecret(ctx, SECRET, { purpose });
    await sealSecret(ctx, 'another', { purpose });
    const keys = await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, ctx.orgId));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      keyVersion: 1,
      masterKeyId: 'k1',
      algorithm: 'aes-256-gcm',
      retiredAt: null,
    });
    expect(keys[0]?.wrappedKey).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}$/); // 32 bytes + 16 tag
  });

  it('rejects every tampered part with SecretDecryptionError', async () => {
    const ctx = await newOrg();
    const envelope = await sealSecret(ctx, SECRET, { purpose });
    const [format, version, iv, body] = envelope.split('.') as [string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = fromB64url(text)!;
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return toB64url(bytes);
    };
    const bodyBytes = fromB64url(body)!;
    const cases: [string, string, SecretDecryptionReason][] = [
      ['iv', [format, version, flip(iv, 0), body].join('.'), 'authentication_failed'],
      ['ciphertext', [format, version, iv, flip(body, 0)].join('.'), 'authentication_failed'],
      ['tag', [format, version, iv, flip(body, bodyBytes.length - 1)].join('.'), 'authentication_failed'],
      [
        'truncated tag',
        [format, version, iv, toB64url(bodyBytes.subarray(0, -4))].join('.'),
        'authentication_failed',
      ],
      [
        'short iv',
        [format, version, toB64url(fromB64url(iv)!.subarray(0, 8)), body].join('.'),
        'authentication_failed',
      ],
      ['key version', [format, '2', iv, body].join('.'), 'unknown_key_version'],
      ['format', ['v7', version, iv, body].join('.'), 'unsupported_version'],
      ['global marker', ['v1m', 'k1', iv, body].join('.'), 'wrong_kind'],
      ['garbage', 'not an envelope', 'malformed'],
      ['bad base64', [format, version, `${iv}!`, body].join('.'), 'malformed'],
    ];
    for (const [, tampered, reason] of cases) {
      expect(await reasonOf(openSecret(ctx, tampered, { purpose }))).toBe(reason);
    }
    expect(await openSecret(ctx, envelope, { purpose })).toBe(SECRET); // the original still opens
  });

  it('a ciphertext does not open in another org or for another purpose (or row)', async () => {
    const a = await newOrg();
    const b = await newOrg();
    const envelope = await sealSecret(a, SECRET, { purpose });
    await sealSecret(b, 'b has a key too', { purpose }); // so the failure is the tag, not a missing key
    expect(await reasonOf(openSecret(b, envelope, { purpose }))).toBe('authentication_failed');
    expect(await reasonOf(openSecret(a, envelope, { purpose: 'integration.credentials:x' }))).toBe(
      'authentication_failed',
    );
    const otherRow = 'llm_model.api_key:00000000-0000-4000-8000-000000000002';
    expect(await reasonOf(openSecret(a, envelope, { purpose: otherRow }))).toBe('authentication_failed');
    // An org with no data key at all: the version is unknown there.
    expect(await reasonOf(openSecret(await newOrg(), envelope, { purpose }))).toBe('unknown_key_version');
  });

  it('fails with unknown_master_key when MASTER_KEYS lacks the wrapping key', async () => {
    const ctx = await newOrg();
    const envelope = await sealSecret(ctx, SECRET, { purpose });
    const other = testMasterKeys('k2').keyring;
    expect(await reasonOf(openSecret({ ...ctx, keyring: other }, envelope, { purpose }))).toBe(
      'unknown_master_key',
    );
    // Same id, different bytes: the wrapped key does not authenticate.
    const impostor = testMasterKeys('k1').keyring;
    expect(await reasonOf(openSecret({ ...ctx, keyring: impostor }, envelope, { purpose }))).toBe(
      'authentication_failed',
    );
  });

  it('concurrent first seals in one org end with exactly one active key', async () => {
    const ctx = await newOrg();
    const fresh = () => ({ ...ctx, keyring: new Keyring([keyring.current]) }); // no shared cache
    const envelopes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => sealSecret(fresh(), `s${i}`, { purpose })),
    );
    const keys = await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, ctx.orgId));
    expect(keys).toHaveLength(1);
    for (const [i, envelope] of envelopes.entries()) {
      expect(await openSecret(fresh(), envelope, { purpose })).toBe(`s${i}`);
    }
  });

  it('losing the creation race reads the winner instead of failing', async () => {
    const ctx = await newOrg();
    await sealSecret(ctx, SECRET, { purpose }); // the winner
    // The loser's insert: same version, and another active key would break the partial unique index.
    const lost = await database.db.transaction((tx) => insertActiveKey(tx, keyring, ctx.orgId, 1));
    const again = await database.db.transaction((tx) => insertActiveKey(tx, keyring, ctx.orgId, 2));
    expect(lost).toBeUndefined();
    expect(again).toBeUndefined();
    expect(await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, ctx.orgId))).toHaveLength(
      1,
    );
  });

  it('a key cached from a rolled-back transaction is not trusted', async () => {
    const ctx = await newOrg();
    const shared = new Keyring([keyring.current]);
    await app
      .transaction(async (tx) => {
        const inner = { db: tx, orgId: ctx.orgId, keyring: shared };
        const envelope = await sealSecret(inner, 'doomed', { purpose }); // creates v1 in this transaction
        expect(await openSecret(inner, envelope, { purpose })).toBe('doomed'); // and caches it
        throw new Error('rollback');
      })
      .catch(() => undefined);
    // v1 is created again with other bytes; the stale cache entry must not break seal or open.
    const envelope = await sealSecret({ ...ctx, keyring: shared }, SECRET, { purpose });
    expect(await openSecret({ ...ctx, keyring: shared }, envelope, { purpose })).toBe(SECRET);
    expect(await openSecret({ ...ctx, keyring: new Keyring([keyring.current]) }, envelope, { purpose })).toBe(
      SECRET,
    );
  });

  it('refuses a malformed purpose as a programming error', async () => {
    const ctx = await newOrg();
    await expect(sealSecret(ctx, SECRET, { purpose: '' })).rejects.toThrow(TypeError);
    await expect(sealSecret(ctx, SECRET, { purpose: 'has space' })).rejects.toThrow(TypeError);
  });

  it('measures seal and open cost', async () => {
    const ctx = await newOrg();
    await sealSecret(ctx, SECRET, { purpose });
    const time = async (n: number, fn: (i: number) => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await fn(i);
      return (performance.now() - started) / n;
    };
    const envelope = await sealSecret(ctx, SECRET, { purpose });
    const seal = await time(50, () => sealSecret(ctx, SECRET, { purpose }));
    const warm = await time(500, () => openSecret(ctx, envelope, { purpose }));
    const cold = await time(50, () => {
      ctx.keyring.dataKeys.clear(ctx.orgId);
      return openSecret(ctx, envelope, { purpose });
    });
    console.log(
      `[secrets timing, ${driver}] seal ${seal.toFixed(3)} ms/op (1 transaction) | ` +
        `open, cached key ${(warm * 1000).toFixed(1)} µs/op (no database) | ` +
        `open, cold ${cold.toFixed(3)} ms/op (1 transaction + unwrap)`,
    );
    expect(warm).toBeLessThan(1); // ms: the hot path must stay off the database
  });
});
