import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Db } from '@agentflow/db';
import { orgDataKeys } from '@agentflow/db/schema';
import { and, eq, isNull, max } from 'drizzle-orm';
import { ALGORITHM, aeadOpen, aeadSeal, KEY_BYTES } from './aead';
import { formatWrappedKey, parseWrappedKey, wrappedKeyAad } from './envelope';
import { SecretDecryptionError } from './errors';
import type { Keyring } from './keyring';

/**
 * Org data keys (DEKs): 32 random bytes per org and version, stored only wrapped by a master key in
 * org_data_keys. Every function here takes a transaction that is already scoped to the org
 * (withOrg) or to the system (asSystem); none opens its own.
 */

export interface DataKeyRow {
  keyVersion: number;
  wrappedKey: string;
  masterKeyId: string;
  algorithm: string;
}

const keyColumns = {
  keyVersion: orgDataKeys.keyVersion,
  wrappedKey: orgDataKeys.wrappedKey,
  masterKeyId: orgDataKeys.masterKeyId,
  algorithm: orgDataKeys.algorithm,
};

export function newDataKey(): KeyObject {
  const bytes = randomBytes(KEY_BYTES);
  const key = createSecretKey(bytes); // copies: wipe our buffer so the bytes live in one place only
  bytes.fill(0);
  return key;
}

/** Wraps under the keyring's current master key; the AAD pins org, version and master key id. */
export function wrapDataKey(
  keyring: Keyring,
  orgId: string,
  keyVersion: number,
  key: KeyObject,
): { wrappedKey: string; masterKeyId: string } {
  const master = keyring.current;
  const bytes = key.export();
  try {
    const box = aeadSeal(master.key, bytes, wrappedKeyAad(orgId, keyVersion, master.id));
    return { wrappedKey: formatWrappedKey(box), masterKeyId: master.id };
  } finally {
    bytes.fill(0);
  }
}

export function unwrapDataKey(keyring: Keyring, orgId: string, row: DataKeyRow): KeyObject {
  const details = { orgId, keyVersion: row.keyVersion, masterKeyId: row.masterKeyId };
  if (row.algorithm !== ALGORITHM) throw new SecretDecryptionError('unsupported_version', details);
  const master = keyring.get(row.masterKeyId);
  if (!master) throw new SecretDecryptionError('unknown_master_key', details);
  const box = parseWrappedKey(row.wrappedKey);
  if (box === 'unsupported') throw new SecretDecryptionError('unsupported_version', details);
  if (box === 'malformed') throw new SecretDecryptionError('malformed', details);
  const bytes = aeadOpen(master.key, box, wrappedKeyAad(orgId, row.keyVersion, row.masterKeyId));
  if (!bytes || bytes.length !== KEY_BYTES) throw new SecretDecryptionError('authentication_failed', details);
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

function unwrapCached(keyring: Keyring, orgId: string, row: DataKeyRow): KeyObject {
  const cached = keyring.dataKeys.get(orgId, row.keyVersion, row.wrappedKey);
  if (cached) return cached;
  const key = unwrapDataKey(keyring, orgId, row);
  keyring.dataKeys.set(orgId, row.keyVersion, key, row.wrappedKey);
  return key;
}

/** The key of that exact version (active or retired), read from the database; see DekCache for why. */
export async function dataKeyByVersion(
  tx: Db,
  keyring: Keyring,
  orgId: string,
  keyVersion: number,
): Promise<KeyObject> {
  const [row] = await tx
    .select(keyColumns)
    .from(orgDataKeys)
    .where(and(eq(orgDataKeys.orgId, orgId), eq(orgDataKeys.keyVersion, keyVersion)));
  if (!row) throw new SecretDecryptionError('unknown_key_version', { orgId, keyVersion });
  return unwrapCached(keyring, orgId, row);
}

export async function selectActiveKey(
  tx: Db,
  orgId: string,
  forUpdate = false,
): Promise<DataKeyRow | undefined> {
  const query = tx
    .select(keyColumns)
    .from(orgDataKeys)
    .where(and(eq(orgDataKeys.orgId, orgId), isNull(orgDataKeys.retiredAt)));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function nextKeyVersion(tx: Db, orgId: string): Promise<number> {
  const [row] = await tx
    .select({ latest: max(orgDataKeys.keyVersion) })
    .from(orgDataKeys)
    .where(eq(orgDataKeys.orgId, orgId));
  return (row?.latest ?? 0) + 1;
}

/**
 * Inserts a new active key unless another transaction got there first. ON CONFLICT DO NOTHING covers
 * both unique indexes (one active key per org; one row per version) without raising: a raised unique
 * violation would abort the caller's transaction, and seals often run inside one. Returns undefined
 * when it lost the race.
 */
export async function insertActiveKey(
  tx: Db,
  keyring: Keyring,
  orgId: string,
  keyVersion: number,
): Promise<{ keyVersion: number; key: KeyObject } | undefined> {
  const key = newDataKey();
  const wrapped = wrapDataKey(keyring, orgId, keyVersion, key);
  const inserted = await tx
    .insert(orgDataKeys)
    .values({ orgId, keyVersion, algorithm: ALGORITHM, ...wrapped })
    .onConflictDoNothing()
    .returning({ keyVersion: orgDataKeys.keyVersion });
  // Not cached here: the row is uncommitted, and the DekCache entry needs its wrapped text anyway.
  return inserted.length === 0 ? undefined : { keyVersion, key };
}

/** Sealing path: the org's active key, created on first use (race-safe: see insertActiveKey). */
export async function activeDataKey(
  tx: Db,
  keyring: Keyring,
  orgId: string,
): Promise<{ keyVersion: number; key: KeyObject }> {
  const existing = await selectActiveKey(tx, orgId);
  if (existing) return { keyVersion: existing.keyVersion, key: unwrapCached(keyring, orgId, existing) };
  const created = await insertActiveKey(tx, keyring, orgId, await nextKeyVersion(tx, orgId));
  if (created) return created;
  // Lost the race: the winner has committed by now (our insert waited for it), so read its key.
  const winner = await selectActiveKey(tx, orgId);
  if (!winner) throw new Error('org data key: concurrent creation left no active key');
  return { keyVersion: winner.keyVersion, key: unwrapCached(keyring, orgId, winner) };
}
