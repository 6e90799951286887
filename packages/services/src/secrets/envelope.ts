import type { JsonObject } from '@agentflow/db/schema';
import { type AeadBox, fromB64url, toB64url } from './aead';

/**
 * Text formats of everything the vault stores, and the AAD each is bound to. All are
 * `.`-separated, versioned by their first field, base64url (no padding) for bytes:
 *
 *   org secret     v1.<keyVersion>.<iv>.<ciphertext+tag>    under the org's data key <keyVersion>
 *   global secret  v1m.<masterKeyId>.<iv>.<ciphertext+tag>  under a master key (global LLM models)
 *   wrapped DEK    v1.<iv>.<ciphertext+tag>                  org_data_keys.wrapped_key
 *
 * The header is not secret but is authenticated: the AAD repeats it, plus the org and purpose.
 */
export const SECRET_FORMAT = 'v1';
export const GLOBAL_SECRET_FORMAT = 'v1m';
export const WRAPPED_KEY_FORMAT = 'v1';

export type ParsedEnvelope =
  | { kind: 'org'; keyVersion: number; box: AeadBox }
  | { kind: 'global'; masterKeyId: string; box: AeadBox }
  | { kind: 'unsupported' }
  | { kind: 'malformed' };

const KEY_VERSION = /^[1-9][0-9]{0,8}$/;
const MASTER_KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Purposes name a column and, for row binding, the row: 'llm_model.api_key:<uuid>'.
const PURPOSE = /^[A-Za-z0-9_.:/-]{1,200}$/;

export function formatOrgEnvelope(keyVersion: number, box: AeadBox): string {
  return `${SECRET_FORMAT}.${keyVersion}.${toB64url(box.iv)}.${toB64url(box.body)}`;
}

export function formatGlobalEnvelope(masterKeyId: string, box: AeadBox): string {
  return `${GLOBAL_SECRET_FORMAT}.${masterKeyId}.${toB64url(box.iv)}.${toB64url(box.body)}`;
}

export function parseEnvelope(envelope: string): ParsedEnvelope {
  const parts = envelope.split('.');
  if (parts.length !== 4) return parts[0]?.startsWith('v') ? { kind: 'unsupported' } : { kind: 'malformed' };
  const [format, header, ivText, bodyText] = parts as [string, string, string, string];
  const iv = fromB64url(ivText);
  const body = fromB64url(bodyText);
  if (format === SECRET_FORMAT) {
    if (!KEY_VERSION.test(header) || !iv || !body) return { kind: 'malformed' };
    return { kind: 'org', keyVersion: Number(header), box: { iv, body } };
  }
  if (format === GLOBAL_SECRET_FORMAT) {
    if (!MASTER_KEY_ID.test(header) || !iv || !body) return { kind: 'malformed' };
    return { kind: 'global', masterKeyId: header, box: { iv, body } };
  }
  return /^v[0-9a-z]+$/.test(format) ? { kind: 'unsupported' } : { kind: 'malformed' };
}

/** The data key version an org envelope was sealed with (what `data_key_version` columns record). */
export function envelopeKeyVersion(envelope: string): number | undefined {
  const parsed = parseEnvelope(envelope);
  return parsed.kind === 'org' ? parsed.keyVersion : undefined;
}

export function formatWrappedKey(box: AeadBox): string {
  return `${WRAPPED_KEY_FORMAT}.${toB64url(box.iv)}.${toB64url(box.body)}`;
}

export function parseWrappedKey(text: string): AeadBox | 'unsupported' | 'malformed' {
  const parts = text.split('.');
  if (parts[0] !== WRAPPED_KEY_FORMAT) return parts[0]?.startsWith('v') ? 'unsupported' : 'malformed';
  if (parts.length !== 3) return 'malformed';
  const iv = fromB64url(parts[1] ?? '');
  const body = fromB64url(parts[2] ?? '');
  return iv && body ? { iv, body } : 'malformed';
}

export function assertPurpose(purpose: string): void {
  // A caller bug, not a decryption failure: the purpose is code, never user input.
  if (!PURPOSE.test(purpose))
    throw new TypeError('secret purpose must be 1-200 characters of A-Z a-z 0-9 _ . : / -');
}

// AADs are JSON arrays: unambiguous field boundaries whatever the values contain. Org ids are
// lower-cased so a uuid spelled in upper case by some caller still names the same org.
export function secretAad(orgId: string, keyVersion: number, purpose: string): Buffer {
  return Buffer.from(
    JSON.stringify(['agentflow/secret', SECRET_FORMAT, orgId.toLowerCase(), keyVersion, purpose]),
  );
}

export function globalSecretAad(masterKeyId: string, purpose: string): Buffer {
  return Buffer.from(JSON.stringify(['agentflow/global-secret', GLOBAL_SECRET_FORMAT, masterKeyId, purpose]));
}

export function wrappedKeyAad(orgId: string, keyVersion: number, masterKeyId: string): Buffer {
  return Buffer.from(
    JSON.stringify([
      'agentflow/org-data-key',
      WRAPPED_KEY_FORMAT,
      orgId.toLowerCase(),
      keyVersion,
      masterKeyId,
    ]),
  );
}

/** What a secret may be: a string (API key) or a JSON object (OAuth token set, credential bag). */
export type SecretValue = string | JsonObject;

// The first plaintext byte records which, so open returns what seal was given. It is inside the
// ciphertext, hence authenticated and not visible.
const TEXT = 0x01;
const JSON_OBJECT = 0x02;

export function encodeSecretValue(value: SecretValue): Buffer {
  if (typeof value === 'string') return Buffer.concat([Buffer.of(TEXT), Buffer.from(value, 'utf8')]);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('a secret must be a string or a plain JSON object');
  }
  return Buffer.concat([Buffer.of(JSON_OBJECT), Buffer.from(JSON.stringify(value), 'utf8')]);
}

/** undefined when the kind byte is unknown (only possible with a key that sealed something else). */
export function decodeSecretValue(bytes: Buffer): SecretValue | undefined {
  const text = bytes.subarray(1).toString('utf8');
  if (bytes[0] === TEXT) return text;
  if (bytes[0] === JSON_OBJECT) return JSON.parse(text) as JsonObject;
  return undefined;
}
