import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '@agentflow/db';
import { integrations, llmModels, organizations } from '@agentflow/db/schema';
import { Keyring, parseMasterKeys } from './keyring';

/** Test-only helpers (not exported from the package). */

export interface TestMasterKeys {
  /** MASTER_KEYS value, first entry current. */
  env: string;
  keyring: Keyring;
  /** Raw key bytes by id, to prove they never show up anywhere. */
  raw: Map<string, Buffer>;
}

export function testMasterKeys(...ids: string[]): TestMasterKeys {
  const raw = new Map(ids.map((id) => [id, randomBytes(32)] as const));
  const env = [...raw].map(([id, bytes]) => `${id}:${bytes.toString('base64')}`).join(',');
  return { env, raw, keyring: new Keyring(parseMasterKeys(env)) };
}

/** Fixtures go through the owner connection (RLS does not apply to it). */
export async function insertOrg(owner: Db): Promise<string> {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await owner
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  if (!org) throw new Error('no org inserted');
  return org.id;
}

export async function insertModel(
  owner: Db,
  values: {
    id?: string;
    orgId: string | null;
    envelope: string | null;
    keyVersion?: number | null;
    hint?: string;
  },
): Promise<string> {
  const id = values.id ?? randomUUID();
  await owner.insert(llmModels).values({
    id,
    orgId: values.orgId,
    name: `model ${id.slice(0, 8)}`,
    provider: 'openai',
    modelIdentifier: 'gpt-4o-mini',
    apiKeyEncrypted: values.envelope,
    apiKeyHint: values.hint ?? null,
    dataKeyVersion: values.keyVersion ?? null,
  });
  return id;
}

export async function insertIntegration(
  owner: Db,
  values: { id?: string; orgId: string; envelope: string; keyVersion?: number | null; hint?: string },
): Promise<string> {
  const id = values.id ?? randomUUID();
  await owner.insert(integrations).values({
    id,
    orgId: values.orgId,
    provider: 'slack',
    credentialsEncrypted: values.envelope,
    credentialsHint: values.hint ?? null,
    dataKeyVersion: values.keyVersion ?? null,
  });
  return id;
}
