import type { KeyObject } from 'node:crypto';
import { asSystem, type Db, withOrg } from '@agentflow/db';
import { integrations, llmModels, orgDataKeys, webhookEndpoints } from '@agentflow/db/schema';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { dataKeyByVersion, insertActiveKey, nextKeyVersion, selectActiveKey } from './data-keys';
import { parseEnvelope } from './envelope';
import { SecretDecryptionError, type SecretDecryptionReason } from './errors';
import type { Keyring } from './keyring';
import { secretPurposes } from './purposes';
import { type SecretsContext, sealWithKey, tryOpen } from './vault';

export interface RotationFailure {
  table: 'llm_models' | 'integrations' | 'webhook_endpoints' | 'org_data_keys';
  /** Row id (org_data_keys: `<org id>/v<version>`). Identifiers only, never values. */
  id: string;
  reason: SecretDecryptionReason;
}

export interface OrgRotationResult {
  orgId: string;
  /** null: the org has never sealed a secret, so there was nothing to rotate. */
  previousVersion: number | null;
  newVersion: number | null;
  /** webhookEndpoints: endpoints whose secret (and previous secret, if any) were re-sealed. */
  resealed: { llmModels: number; integrations: number; webhookEndpoints: number };
  /** Rows that could not be opened; they are left untouched (still under their old, kept key). */
  failed: RotationFailure[];
}

/**
 * DEK rotation for one org, in one transaction: retire the active key, create version n+1, re-seal
 * every llm_models.api_key_encrypted, integrations.credentials_encrypted and webhook_endpoints secret
 * (current and previous) of the org under it
 * (whatever older version each was on). Retired keys are kept: an envelope stored elsewhere, or read
 * by a request that raced with the rotation, still opens. updated_at is left alone: the secret itself
 * did not change.
 */
export async function rotateOrgKey(ctx: SecretsContext): Promise<OrgRotationResult> {
  const { keyring, orgId } = ctx;
  return withOrg(ctx.db, orgId, async (tx) => {
    const result: OrgRotationResult = {
      orgId,
      previousVersion: null,
      newVersion: null,
      resealed: { llmModels: 0, integrations: 0, webhookEndpoints: 0 },
      failed: [],
    };
    // FOR UPDATE serialises rotations of one org. The waiter's row is retired by the time it gets the
    // lock, so its statement finds nothing; a second read (new snapshot) sees the key that replaced it.
    const active = (await selectActiveKey(tx, orgId, true)) ?? (await selectActiveKey(tx, orgId, true));
    if (!active) return result;
    const newVersion = await nextKeyVersion(tx, orgId);
    await tx
      .update(orgDataKeys)
      .set({ retiredAt: sql`now()` })
      .where(and(eq(orgDataKeys.orgId, orgId), eq(orgDataKeys.keyVersion, active.keyVersion)));
    const created = await insertActiveKey(tx, keyring, orgId, newVersion);
    if (!created) throw new Error('rotateOrgKey: another transaction created a key concurrently; retry');
    result.previousVersion = active.keyVersion;
    result.newVersion = newVersion;

    const oldKeys = new Map<number, KeyObject>();
    const reseal = async (table: RotationFailure['table'], id: string, envelope: string, purpose: string) => {
      const parsed = parseEnvelope(envelope);
      if (parsed.kind !== 'org') {
        result.failed.push({
          table,
          id,
          reason: parsed.kind === 'global' ? 'wrong_kind' : toReason(parsed.kind),
        });
        return undefined;
      }
      try {
        let key = oldKeys.get(parsed.keyVersion);
        if (!key) {
          key = await dataKeyByVersion(tx, keyring, orgId, parsed.keyVersion);
          oldKeys.set(parsed.keyVersion, key);
        }
        const value = tryOpen(key, orgId, parsed.keyVersion, parsed.box, purpose);
        if (value === undefined) throw new SecretDecryptionError('authentication_failed');
        return sealWithKey(created.key, orgId, newVersion, value, purpose);
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        result.failed.push({ table, id, reason: error.reason });
        return undefined;
      }
    };

    const models = await tx
      .select({ id: llmModels.id, envelope: llmModels.apiKeyEncrypted })
      .from(llmModels)
      .where(and(eq(llmModels.orgId, orgId), isNotNull(llmModels.apiKeyEncrypted)))
      .for('update');
    for (const model of models) {
      const sealed = await reseal(
        'llm_models',
        model.id,
        model.envelope ?? '',
        secretPurposes.llmModelApiKey(model.id),
      );
      if (sealed === undefined) continue;
      await tx
        .update(llmModels)
        .set({ apiKeyEncrypted: sealed, dataKeyVersion: newVersion, updatedAt: sql`${llmModels.updatedAt}` })
        .where(eq(llmModels.id, model.id));
      result.resealed.llmModels++;
    }

    const rows = await tx
      .select({ id: integrations.id, envelope: integrations.credentialsEncrypted })
      .from(integrations)
      .where(eq(integrations.orgId, orgId))
      .for('update');
    for (const row of rows) {
      const sealed = await reseal(
        'integrations',
        row.id,
        row.envelope,
        secretPurposes.integrationCredentials(row.id),
      );
      if (sealed === undefined) continue;
      await tx
        .update(integrations)
        .set({
          credentialsEncrypted: sealed,
          dataKeyVersion: newVersion,
          updatedAt: sql`${integrations.updatedAt}`,
        })
        .where(eq(integrations.id, row.id));
      result.resealed.integrations++;
    }

    const hooks = await tx
      .select({
        id: webhookEndpoints.id,
        secret: webhookEndpoints.secretEncrypted,
        previous: webhookEndpoints.previousSecretEncrypted,
      })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.orgId, orgId))
      .for('update');
    for (const hook of hooks) {
      const secret = await reseal(
        'webhook_endpoints',
        hook.id,
        hook.secret,
        secretPurposes.webhookSecret(hook.id),
      );
      const previous = hook.previous
        ? await reseal(
            'webhook_endpoints',
            hook.id,
            hook.previous,
            secretPurposes.webhookPreviousSecret(hook.id),
          )
        : null;
      if (secret === undefined || previous === undefined) continue;
      await tx
        .update(webhookEndpoints)
        .set({
          secretEncrypted: secret,
          previousSecretEncrypted: previous,
          dataKeyVersion: newVersion,
          updatedAt: sql`${webhookEndpoints.updatedAt}`,
        })
        .where(eq(webhookEndpoints.id, hook.id));
      result.resealed.webhookEndpoints++;
    }
    return result;
  });
}

/** Rotates every org that has a data key, one transaction per org. For the CLI. */
export async function rotateAllOrgKeys(db: Db, keyring: Keyring): Promise<OrgRotationResult[]> {
  const orgs = await asSystem(db, 'secrets: list orgs with a data key to rotate', (tx) =>
    tx.select({ orgId: orgDataKeys.orgId }).from(orgDataKeys).where(isNull(orgDataKeys.retiredAt)),
  );
  const results: OrgRotationResult[] = [];
  for (const { orgId } of orgs) results.push(await rotateOrgKey({ db, orgId, keyring }));
  return results;
}

function toReason(kind: 'malformed' | 'unsupported'): SecretDecryptionReason {
  return kind === 'malformed' ? 'malformed' : 'unsupported_version';
}
