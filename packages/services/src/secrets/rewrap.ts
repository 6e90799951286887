import { asSystem, type Db } from '@agentflow/db';
import { llmModels, orgDataKeys } from '@agentflow/db/schema';
import { and, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { unwrapDataKey, wrapDataKey } from './data-keys';
import { parseEnvelope } from './envelope';
import { SecretDecryptionError } from './errors';
import { openGlobalSecret, sealGlobalSecret } from './global';
import type { Keyring } from './keyring';
import { secretPurposes } from './purposes';
import type { RotationFailure } from './rotation';

export interface RewrapResult {
  masterKeyId: string;
  /** Data keys re-wrapped under the current master key. */
  rewrapped: number;
  /** Data keys that already were. */
  alreadyCurrent: number;
  /** Global model API keys (sealed with a master key directly) re-sealed under the current one. */
  globalResealed: number;
  /** Left as they were: their master key is missing from the keyring, or they do not authenticate. */
  failed: RotationFailure[];
}

/**
 * Master-key rotation: put the new key first in MASTER_KEYS (keep the old one after it), run this,
 * then drop the old key from MASTER_KEYS. Each org data key is unwrapped with the master key it names
 * and wrapped again with the current one; the DEK bytes do not change, so no org secret is re-encrypted.
 * One system transaction (it spans every org; RLS would hide them otherwise), and idempotent: keys
 * already under the current master key are skipped, so it can simply be run again after a failure.
 */
export async function rewrapAll(db: Db, keyring: Keyring): Promise<RewrapResult> {
  const current = keyring.current.id;
  return asSystem(db, 'secrets: re-wrap org data keys under the current master key', async (tx) => {
    const result: RewrapResult = {
      masterKeyId: current,
      rewrapped: 0,
      alreadyCurrent: 0,
      globalResealed: 0,
      failed: [],
    };
    const [counted] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(orgDataKeys)
      .where(eq(orgDataKeys.masterKeyId, current));
    result.alreadyCurrent = counted?.n ?? 0;

    const stale = await tx
      .select({
        id: orgDataKeys.id,
        orgId: orgDataKeys.orgId,
        keyVersion: orgDataKeys.keyVersion,
        wrappedKey: orgDataKeys.wrappedKey,
        masterKeyId: orgDataKeys.masterKeyId,
        algorithm: orgDataKeys.algorithm,
      })
      .from(orgDataKeys)
      .where(ne(orgDataKeys.masterKeyId, current))
      .for('update');
    for (const row of stale) {
      try {
        const key = unwrapDataKey(keyring, row.orgId, row);
        const wrapped = wrapDataKey(keyring, row.orgId, row.keyVersion, key);
        await tx.update(orgDataKeys).set(wrapped).where(eq(orgDataKeys.id, row.id));
        result.rewrapped++;
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        result.failed.push({
          table: 'org_data_keys',
          id: `${row.orgId}/v${row.keyVersion}`,
          reason: error.reason,
        });
      }
    }

    const globals = await tx
      .select({ id: llmModels.id, envelope: llmModels.apiKeyEncrypted })
      .from(llmModels)
      .where(and(isNull(llmModels.orgId), isNotNull(llmModels.apiKeyEncrypted)))
      .for('update');
    for (const model of globals) {
      const envelope = model.envelope ?? '';
      const parsed = parseEnvelope(envelope);
      if (parsed.kind === 'global' && parsed.masterKeyId === current) continue;
      const purpose = secretPurposes.llmModelApiKey(model.id);
      try {
        const resealed = sealGlobalSecret(keyring, openGlobalSecret(keyring, envelope, { purpose }), {
          purpose,
        });
        await tx
          .update(llmModels)
          .set({ apiKeyEncrypted: resealed, dataKeyVersion: null, updatedAt: sql`${llmModels.updatedAt}` })
          .where(eq(llmModels.id, model.id));
        result.globalResealed++;
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        result.failed.push({ table: 'llm_models', id: model.id, reason: error.reason });
      }
    }
    return result;
  });
}
