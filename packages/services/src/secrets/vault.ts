import type { KeyObject } from 'node:crypto';
import { type Db, withOrg } from '@agentflow/db';
import type { JsonObject } from '@agentflow/db/schema';
import { type AeadBox, aeadOpen, aeadSeal } from './aead';
import { activeDataKey, dataKeyByVersion } from './data-keys';
import {
  assertPurpose,
  decodeSecretValue,
  encodeSecretValue,
  formatOrgEnvelope,
  parseEnvelope,
  type SecretValue,
  secretAad,
} from './envelope';
import { SecretDecryptionError } from './errors';
import type { Keyring } from './keyring';

/** What the vault needs: a ServiceContext works once the app's keyring is added (`{ ...ctx, keyring }`). */
export interface SecretsContext {
  db: Db;
  orgId: string;
  keyring: Keyring;
}

export interface SecretOptions {
  /** Bound into the AAD; use `secretPurposes` for the known columns. */
  purpose: string;
}

/** Encrypts under the org's active data key (created on first use). Returns the envelope to store. */
export async function sealSecret(
  ctx: SecretsContext,
  value: SecretValue,
  options: SecretOptions,
): Promise<string> {
  assertPurpose(options.purpose);
  const { keyVersion, key } = await withOrg(ctx.db, ctx.orgId, (tx) =>
    activeDataKey(tx, ctx.keyring, ctx.orgId),
  );
  return sealWithKey(key, ctx.orgId, keyVersion, value, options.purpose);
}

/**
 * Decrypts an envelope sealed for this org and purpose. A recently used data key comes from the
 * keyring's cache with no database round trip. Throws SecretDecryptionError on any mismatch.
 */
export async function openSecret(
  ctx: SecretsContext,
  envelope: string,
  options: SecretOptions,
): Promise<SecretValue> {
  assertPurpose(options.purpose);
  const parsed = parseEnvelope(envelope);
  if (parsed.kind === 'malformed' || parsed.kind === 'unsupported') {
    throw new SecretDecryptionError(parsed.kind === 'malformed' ? 'malformed' : 'unsupported_version', {
      orgId: ctx.orgId,
    });
  }
  if (parsed.kind === 'global') throw new SecretDecryptionError('wrong_kind', { orgId: ctx.orgId });
  const { keyVersion, box } = parsed;
  const cache = ctx.keyring.dataKeys;
  const cached = cache.get(ctx.orgId, keyVersion);
  if (cached) {
    const value = tryOpen(cached, ctx.orgId, keyVersion, box, options.purpose);
    if (value !== undefined) return value;
    // Possibly a stale entry (see DekCache); the database decides.
    cache.delete(ctx.orgId, keyVersion);
  }
  const key = await withOrg(ctx.db, ctx.orgId, (tx) =>
    dataKeyByVersion(tx, ctx.keyring, ctx.orgId, keyVersion),
  );
  const value = tryOpen(key, ctx.orgId, keyVersion, box, options.purpose);
  if (value === undefined) {
    throw new SecretDecryptionError('authentication_failed', { orgId: ctx.orgId, keyVersion });
  }
  return value;
}

/** openSecret for secrets sealed from a string (API keys). */
export async function openSecretText(
  ctx: SecretsContext,
  envelope: string,
  options: SecretOptions,
): Promise<string> {
  const value = await openSecret(ctx, envelope, options);
  if (typeof value !== 'string') throw new TypeError('the secret holds a JSON object, not a string');
  return value;
}

/** openSecret for secrets sealed from an object (credential sets). */
export async function openSecretObject(
  ctx: SecretsContext,
  envelope: string,
  options: SecretOptions,
): Promise<JsonObject> {
  const value = await openSecret(ctx, envelope, options);
  if (typeof value === 'string') throw new TypeError('the secret holds a string, not a JSON object');
  return value;
}

export function sealWithKey(
  key: KeyObject,
  orgId: string,
  keyVersion: number,
  value: SecretValue,
  purpose: string,
): string {
  const plaintext = encodeSecretValue(value);
  try {
    return formatOrgEnvelope(keyVersion, aeadSeal(key, plaintext, secretAad(orgId, keyVersion, purpose)));
  } finally {
    plaintext.fill(0);
  }
}

/** undefined when the tag does not verify. */
export function tryOpen(
  key: KeyObject,
  orgId: string,
  keyVersion: number,
  box: AeadBox,
  purpose: string,
): SecretValue | undefined {
  const plaintext = aeadOpen(key, box, secretAad(orgId, keyVersion, purpose));
  if (!plaintext) return undefined;
  try {
    const value = decodeSecretValue(plaintext);
    if (value === undefined) throw new SecretDecryptionError('malformed', { orgId, keyVersion });
    return value;
  } catch (error) {
    if (error instanceof SecretDecryptionError) throw error;
    // JSON.parse of an authenticated payload failing means a bug, not an attack; never echo the text.
    throw new SecretDecryptionError('malformed', { orgId, keyVersion });
  } finally {
    plaintext.fill(0);
  }
}
