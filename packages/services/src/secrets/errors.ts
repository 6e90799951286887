/**
 * Why a secret could not be opened. GCM cannot tell a modified ciphertext from a wrong org, purpose or
 * key (all fail the same tag check), so those share `authentication_failed`.
 */
export type SecretDecryptionReason =
  | 'malformed' // not an envelope this code understands (bad shape, bad base64, wrong lengths)
  | 'unsupported_version' // envelope or wrapped-key format version this build does not know
  | 'unknown_key_version' // the org has no data key with the envelope's version
  | 'unknown_master_key' // the data key was wrapped by a master key missing from MASTER_KEYS
  | 'wrong_kind' // a global (master-key) secret where an org secret was expected, or the reverse
  | 'authentication_failed'; // tag check failed: tampered, or another org / purpose / key

const explanations: Record<SecretDecryptionReason, string> = {
  malformed: 'the stored value is not a valid secret envelope',
  unsupported_version: 'the envelope format version is not supported',
  unknown_key_version: 'the organization has no data key with the version the secret was sealed with',
  unknown_master_key: 'the key was wrapped by a master key that is not configured in MASTER_KEYS',
  wrong_kind: 'an org secret and a global secret are not interchangeable',
  authentication_failed:
    'authentication failed (the ciphertext was modified, or it belongs to another organization, purpose or key)',
};

/**
 * Thrown by every open/unwrap path. The message is built only from the fixed reason text and
 * non-secret identifiers (org id, key version, master key id): never plaintext, ciphertext or key
 * bytes, so it is safe to log and to attach to error reports.
 */
export class SecretDecryptionError extends Error {
  readonly reason: SecretDecryptionReason;
  readonly orgId: string | undefined;
  readonly keyVersion: number | undefined;
  readonly masterKeyId: string | undefined;

  constructor(
    reason: SecretDecryptionReason,
    details: {
      orgId?: string | undefined;
      keyVersion?: number | undefined;
      masterKeyId?: string | undefined;
    } = {},
  ) {
    const where = [
      details.orgId ? `org ${details.orgId}` : undefined,
      details.keyVersion !== undefined ? `key version ${details.keyVersion}` : undefined,
      details.masterKeyId ? `master key "${details.masterKeyId}"` : undefined,
    ].filter(Boolean);
    super(
      `Secret could not be decrypted: ${explanations[reason]}${where.length ? ` (${where.join(', ')})` : ''}`,
    );
    this.name = 'SecretDecryptionError';
    this.reason = reason;
    this.orgId = details.orgId;
    this.keyVersion = details.keyVersion;
    this.masterKeyId = details.masterKeyId;
  }
}

/** A bad MASTER_KEYS. `issues` has the same shape as apps/api's ConfigError, so it can be merged into it. */
export class MasterKeyConfigError extends Error {
  readonly issues: { variable: string; message: string }[];

  constructor(issues: { variable: string; message: string }[]) {
    super(
      `Invalid master key configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'MasterKeyConfigError';
    this.issues = issues;
  }
}
