import type { Db } from '@agentflow/db';
import {
  type Keyring,
  openGlobalSecret,
  openSecretText,
  SecretDecryptionError,
  sealGlobalSecret,
  sealSecret,
  secretPurposes,
} from '../secrets';

/** Where a model's key is sealed: global models under the master key, org models under the org DEK. */
export async function sealModelKey(
  tx: Db,
  keyring: Keyring,
  orgId: string | null,
  modelId: string,
  apiKey: string,
): Promise<string> {
  const purpose = secretPurposes.llmModelApiKey(modelId);
  if (orgId === null) return sealGlobalSecret(keyring, apiKey, { purpose });
  // Sealed with the row's own transaction: a rolled-back insert leaves no data key behind.
  return sealSecret({ db: tx, orgId, keyring }, apiKey, { purpose });
}

/**
 * Opens a model's key for an immediate call. `db` is the root handle (the vault opens its own org
 * transaction when the data key is not cached). Keep the result in a local; never log it.
 */
export async function openModelKey(
  db: Db,
  keyring: Keyring,
  row: { id: string; orgId: string | null; apiKeyEncrypted: string | null },
): Promise<string | null> {
  if (!row.apiKeyEncrypted) return null;
  const purpose = secretPurposes.llmModelApiKey(row.id);
  if (row.orgId === null) {
    const value = openGlobalSecret(keyring, row.apiKeyEncrypted, { purpose });
    if (typeof value !== 'string')
      throw new SecretDecryptionError('malformed', { masterKeyId: keyring.current.id });
    return value;
  }
  return openSecretText({ db, orgId: row.orgId, keyring }, row.apiKeyEncrypted, { purpose });
}
