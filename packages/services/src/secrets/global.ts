import { aeadOpen, aeadSeal } from './aead';
import {
  assertPurpose,
  decodeSecretValue,
  encodeSecretValue,
  formatGlobalEnvelope,
  globalSecretAad,
  parseEnvelope,
  type SecretValue,
} from './envelope';
import { SecretDecryptionError } from './errors';
import type { Keyring } from './keyring';
import type { SecretOptions } from './vault';

/**
 * Global LLM models (llm_models.org_id null, defined by instance admins) belong to no org, so there is
 * no org data key: their API keys are sealed directly with the current master key (the envelope names
 * it, and the AAD binds it with the purpose). rewrapAll re-seals them when the master key changes.
 */
export function sealGlobalSecret(keyring: Keyring, value: SecretValue, options: SecretOptions): string {
  assertPurpose(options.purpose);
  const master = keyring.current;
  const plaintext = encodeSecretValue(value);
  try {
    return formatGlobalEnvelope(
      master.id,
      aeadSeal(master.key, plaintext, globalSecretAad(master.id, options.purpose)),
    );
  } finally {
    plaintext.fill(0);
  }
}

export function openGlobalSecret(keyring: Keyring, envelope: string, options: SecretOptions): SecretValue {
  assertPurpose(options.purpose);
  const parsed = parseEnvelope(envelope);
  if (parsed.kind === 'malformed') throw new SecretDecryptionError('malformed');
  if (parsed.kind === 'unsupported') throw new SecretDecryptionError('unsupported_version');
  if (parsed.kind === 'org') throw new SecretDecryptionError('wrong_kind');
  const master = keyring.get(parsed.masterKeyId);
  if (!master) throw new SecretDecryptionError('unknown_master_key', { masterKeyId: parsed.masterKeyId });
  const plaintext = aeadOpen(master.key, parsed.box, globalSecretAad(master.id, options.purpose));
  if (!plaintext) throw new SecretDecryptionError('authentication_failed', { masterKeyId: master.id });
  try {
    const value = decodeSecretValue(plaintext);
    if (value === undefined) throw new SecretDecryptionError('malformed', { masterKeyId: master.id });
    return value;
  } catch (error) {
    if (error instanceof SecretDecryptionError) throw error;
    throw new SecretDecryptionError('malformed', { masterKeyId: master.id });
  } finally {
    plaintext.fill(0);
  }
}
