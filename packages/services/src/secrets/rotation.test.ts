import { randomUUID } from 'node:crypto';
import { APP_ROLE, type Db } from '@agentflow/db';
import { integrations, llmModels, orgDataKeys } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { envelopeKeyVersion } from './envelope';
import { SecretDecryptionError } from './errors';
import { openGlobalSecret, sealGlobalSecret } from './global';
import { Keyring, parseMasterKeys } from './keyring';
import { secretPurposes } from './purposes';
import { rewrapAll } from './rewrap';
import { runRotateKeys } from './rotate-command';
import { rotateOrgKey } from './rotation';
import { insertIntegration, insertModel, insertOrg, testMasterKeys } from './test-support';
import { openSecret, type SecretsContext, sealSecret } from './vault';

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

let database: TestDatabase;
let app: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
}, 120_000);
afterAll(async () => {
  await database?.cleanup();
});

/** An org with two models and one integration sealed the way services will seal them. */
async function seededOrg(keyring: Keyring) {
  const orgId = await insertOrg(database.db);
  const ctx: SecretsContext = { db: app, orgId, keyring };
  const modelIds = [randomUUID(), randomUUID()];
  const integrationId = randomUUID();
  const plaintexts = new Map<string, unknown>();
  for (const [i, id] of modelIds.entries()) {
    const value = `sk-model-${i}-${randomUUID()}`;
    const envelope = await sealSecret(ctx, value, { purpose: secretPurposes.llmModelApiKey(id) });
    await insertModel(database.db, { id, orgId, envelope, keyVersion: envelopeKeyVersion(envelope) });
    plaintexts.set(id, value);
  }
  const creds = { access_token: `xoxb-${randomUUID()}`, refresh_token: randomUUID() };
  const envelope = await sealSecret(ctx, creds, {
    purpose: secretPurposes.integrationCredentials(integrationId),
  });
  await insertIntegration(database.db, { id: integrationId, orgId, envelope, keyVersion: 1 });
  plaintexts.set(integrationId, creds);
  return { ctx, orgId, modelIds, integrationId, plaintexts };
}

async function storedModel(id: string) {
  const [row] = await database.db.select().from(llmModels).where(eq(llmModels.id, id));
  return row!;
}
async function storedIntegration(id: string) {
  const [row] = await database.db.select().from(integrations).where(eq(integrations.id, id));
  return row!;
}

describe(`rotateOrgKey (${driver})`, { timeout: 60_000 }, () => {
  const { keyring } = testMasterKeys('k1');

  it('re-seals every secret of the org under a new key version and retires the old key', async () => {
    const org = await seededOrg(keyring);
    const other = await seededOrg(keyring);
    const [modelId] = org.modelIds as [string];
    const before = await storedModel(modelId);
    const purpose = secretPurposes.llmModelApiKey(modelId);
    // Before rotation the stored ciphertext opens with version 1.
    expect(await openSecret(org.ctx, before.apiKeyEncrypted!, { purpose })).toBe(org.plaintexts.get(modelId));

    const result = await rotateOrgKey(org.ctx);
    expect(result).toEqual({
      orgId: org.orgId,
      previousVersion: 1,
      newVersion: 2,
      resealed: { llmModels: 2, integrations: 1, webhookEndpoints: 0 },
      failed: [],
    });

    const after = await storedModel(modelId);
    expect(after.apiKeyEncrypted).toMatch(/^v1\.2\./);
    expect(after.dataKeyVersion).toBe(2);
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    const fresh = { ...org.ctx, keyring: new Keyring([keyring.current]) };
    for (const id of org.modelIds) {
      const row = await storedModel(id);
      expect(
        await openSecret(fresh, row.apiKeyEncrypted!, { purpose: secretPurposes.llmModelApiKey(id) }),
      ).toBe(org.plaintexts.get(id));
    }
    const integration = await storedIntegration(org.integrationId);
    expect(integration.dataKeyVersion).toBe(2);
    expect(
      await openSecret(fresh, integration.credentialsEncrypted, {
        purpose: secretPurposes.integrationCredentials(org.integrationId),
      }),
    ).toEqual(org.plaintexts.get(org.integrationId));

    // The retired key is kept (a copy of the old ciphertext, e.g. read by a racing request, still opens);
    // new seals use the new version.
    expect(await openSecret(fresh, before.apiKeyEncrypted!, { purpose })).toBe(org.plaintexts.get(modelId));
    const keys = await database.db
      .select()
      .from(orgDataKeys)
      .where(eq(orgDataKeys.orgId, org.orgId))
      .orderBy(asc(orgDataKeys.keyVersion));
    expect(keys.map((k) => [k.keyVersion, k.retiredAt === null])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(envelopeKeyVersion(await sealSecret(org.ctx, 'new', { purpose }))).toBe(2);

    // Another org is untouched.
    const untouched = await storedModel(other.modelIds[0]!);
    expect(untouched.dataKeyVersion).toBe(1);
    expect(untouched.apiKeyEncrypted).toMatch(/^v1\.1\./);

    // Rotating again re-seals from v2 to v3.
    expect((await rotateOrgKey(org.ctx)).newVersion).toBe(3);
  });

  it('two concurrent rotations of one org both rotate, one after the other', async () => {
    const org = await seededOrg(keyring);
    const fresh = () => ({ ...org.ctx, keyring: new Keyring([keyring.current]) });
    const results = await Promise.all([rotateOrgKey(fresh()), rotateOrgKey(fresh())]);
    expect(results.map((r) => r.newVersion).sort()).toEqual([2, 3]);
    const [modelId] = org.modelIds as [string];
    const model = await storedModel(modelId);
    expect(model.dataKeyVersion).toBe(3);
    expect(
      await openSecret(fresh(), model.apiKeyEncrypted!, { purpose: secretPurposes.llmModelApiKey(modelId) }),
    ).toBe(org.plaintexts.get(modelId));
  });

  it('reports rows it cannot open and leaves them as they were', async () => {
    const org = await seededOrg(keyring);
    // Sealed with a purpose other than the column's: rotation cannot open it.
    const stray = await sealSecret(org.ctx, 'sk-stray', { purpose: 'llm_model.api_key' });
    const strayId = await insertModel(database.db, { orgId: org.orgId, envelope: stray, keyVersion: 1 });
    const result = await rotateOrgKey(org.ctx);
    expect(result.resealed).toEqual({ llmModels: 2, integrations: 1, webhookEndpoints: 0 });
    expect(result.failed).toEqual([{ table: 'llm_models', id: strayId, reason: 'authentication_failed' }]);
    expect((await storedModel(strayId)).apiKeyEncrypted).toBe(stray);
  });

  it('does nothing for an org that never sealed a secret', async () => {
    const orgId = await insertOrg(database.db);
    expect(await rotateOrgKey({ db: app, orgId, keyring })).toMatchObject({
      previousVersion: null,
      newVersion: null,
    });
    expect(await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, orgId))).toHaveLength(0);
  });
});

describe(`master key rotation (${driver})`, { timeout: 60_000 }, () => {
  // rewrapAll spans every org: start from an empty database so other tests' keys (under other
  // master keys) do not show up as failures.
  beforeEach(async () => {
    await database.reset();
  });

  it('rewrapAll moves every data key and global model key to the current master key', async () => {
    const old = testMasterKeys('old');
    const next = testMasterKeys('new');
    const org = await seededOrg(old.keyring);
    await rotateOrgKey(org.ctx); // so a retired key exists too: it must be re-wrapped as well
    const globalId = randomUUID();
    const globalPurpose = secretPurposes.llmModelApiKey(globalId);
    const globalKey = `sk-global-${randomUUID()}`;
    await insertModel(database.db, {
      id: globalId,
      orgId: null,
      envelope: sealGlobalSecret(old.keyring, globalKey, { purpose: globalPurpose }),
    });

    // Deploy step 1: MASTER_KEYS=new:...,old:...
    const both = new Keyring(parseMasterKeys(`${next.env},${old.env}`));
    const result = await rewrapAll(app, both);
    expect(result.rewrapped).toBeGreaterThanOrEqual(2);
    expect(result.failed).toEqual([]);
    expect(result.globalResealed).toBeGreaterThanOrEqual(1);
    const keys = await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, org.orgId));
    expect(keys.map((k) => k.masterKeyId)).toEqual(['new', 'new']);
    expect((await rewrapAll(app, both)).rewrapped).toBe(0); // idempotent

    // Deploy step 2: MASTER_KEYS=new:... only. Every secret still opens; no org secret was re-encrypted.
    const [modelId] = org.modelIds as [string];
    const model = await storedModel(modelId);
    expect(model.dataKeyVersion).toBe(2);
    const ctx = { ...org.ctx, keyring: next.keyring };
    expect(
      await openSecret(ctx, model.apiKeyEncrypted!, { purpose: secretPurposes.llmModelApiKey(modelId) }),
    ).toBe(org.plaintexts.get(modelId));
    const global = await storedModel(globalId);
    expect(global.apiKeyEncrypted).toMatch(/^v1m\.new\./);
    expect(openGlobalSecret(next.keyring, global.apiKeyEncrypted!, { purpose: globalPurpose })).toBe(
      globalKey,
    );
    expect(() => openGlobalSecret(old.keyring, global.apiKeyEncrypted!, { purpose: globalPurpose })).toThrow(
      SecretDecryptionError,
    );
  });

  it('reports data keys whose master key is not configured, and the CLI exits 1', async () => {
    const lost = testMasterKeys('lost');
    const org = await seededOrg(lost.keyring);
    const current = testMasterKeys('cur');
    const lines: string[] = [];
    const code = await runRotateKeys(['--rewrap-master'], {
      db: app,
      keyring: current.keyring,
      log: (l) => lines.push(l),
    });
    expect(code).toBe(1);
    const output = lines.join('\n');
    expect(output).toContain(`failed: org_data_keys ${org.orgId}/v1: unknown_master_key`);
    for (const raw of [...lost.raw.values(), ...current.raw.values()])
      expect(output).not.toContain(raw.toString('base64'));
  });
});

describe(`keys:rotate command (${driver})`, { timeout: 60_000 }, () => {
  it('rotates one org and prints counts', async () => {
    const { keyring } = testMasterKeys('k1');
    const org = await seededOrg(keyring);
    const lines: string[] = [];
    const code = await runRotateKeys(['--', '--org', org.orgId], {
      db: app,
      keyring,
      log: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines).toContain(
      `org ${org.orgId}: key v1 -> v2, re-sealed 2 llm_models + 1 integrations + 0 webhook_endpoints, 0 failed`,
    );
    expect(lines.at(-1)).toBe(
      'rotated 1 org(s); re-sealed 2 model key(s), 1 integration credential(s) and 0 webhook secret(s)',
    );
    for (const value of org.plaintexts.values()) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(lines.join('\n')).not.toContain(text);
    }
  });

  it('refuses bad arguments', async () => {
    const { keyring } = testMasterKeys('k1');
    const log = () => undefined;
    expect(await runRotateKeys(['--org', 'nope'], { db: app, keyring, log })).toBe(2);
    expect(await runRotateKeys(['--bogus'], { db: app, keyring, log })).toBe(2);
  });
});
