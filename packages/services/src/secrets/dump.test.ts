import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { APP_ROLE, type Db, rowsOf } from '@agentflow/db';
import { orgDataKeys } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapDataKey } from './data-keys';
import { envelopeKeyVersion } from './envelope';
import { sealGlobalSecret } from './global';
import { maskSecret } from './mask';
import { secretPurposes } from './purposes';
import { insertIntegration, insertModel, insertOrg, testMasterKeys } from './test-support';
import { sealSecret } from './vault';

// Issue 4 acceptance: "A stored credential is unreadable in the database dump".

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

/** Every row of every table in every non-system schema, each as Postgres' text form of the whole row. */
async function sqlDump(db: Db): Promise<{ text: string; tables: number }> {
  const tables = rowsOf<{ schema: string; name: string }>(
    await db.execute(sql`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`),
  );
  const parts: string[] = [];
  for (const { schema, name } of tables) {
    const rows = rowsOf<{ row: string }>(
      await db.execute(sql`select t::text as row from ${sql.identifier(schema)}.${sql.identifier(name)} t`),
    );
    parts.push(`-- ${schema}.${name}`, ...rows.map((r) => r.row));
  }
  return { text: parts.join('\n'), tables: tables.length };
}

/** The forms a leaked value could take in a dump: as is, base64, base64url, hex (bytea prints hex). */
function forms(value: string | Buffer): string[] {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const hex = bytes.toString('hex');
  const all = [bytes.toString('base64'), bytes.toString('base64url'), hex, hex.toUpperCase()];
  return typeof value === 'string' ? [value, ...all] : all;
}

async function pgDump(): Promise<string | undefined> {
  if (!process.env.DATABASE_URL) return undefined;
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${database.name}`;
  try {
    const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--dbname', url.toString()], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    // No client tools on this machine, or a pg_dump older than the server: the SQL dump still ran.
    const text = String((error as { stderr?: unknown }).stderr ?? error);
    if ((error as { code?: unknown }).code === 'ENOENT' || /version mismatch/i.test(text)) {
      console.log(
        `[dump test] pg_dump unavailable (${(error as Error).message.split('\n')[0]}); SQL dump only`,
      );
      return undefined;
    }
    throw error;
  }
}

describe(`database dump (${driver})`, { timeout: 60_000 }, () => {
  it('contains no stored credential, in any encoding, and no data or master key material', async () => {
    const { keyring, raw } = testMasterKeys('k1');
    const orgId = await insertOrg(database.db);
    const ctx = { db: app, orgId, keyring };
    const apiKey = `sk-dumptest-${randomUUID()}`;
    const creds = { access_token: `xoxb-dumptest-${randomUUID()}`, refresh_token: `refresh-${randomUUID()}` };
    const globalKey = `sk-globaldump-${randomUUID()}`;

    const modelId = randomUUID();
    const modelEnvelope = await sealSecret(ctx, apiKey, { purpose: secretPurposes.llmModelApiKey(modelId) });
    await insertModel(database.db, {
      id: modelId,
      orgId,
      envelope: modelEnvelope,
      keyVersion: envelopeKeyVersion(modelEnvelope),
      hint: maskSecret(apiKey),
    });
    const integrationId = randomUUID();
    const integrationEnvelope = await sealSecret(ctx, creds, {
      purpose: secretPurposes.integrationCredentials(integrationId),
    });
    await insertIntegration(database.db, {
      id: integrationId,
      orgId,
      envelope: integrationEnvelope,
      keyVersion: 1,
      hint: maskSecret(creds.access_token),
    });
    const globalId = randomUUID();
    const globalEnvelope = sealGlobalSecret(keyring, globalKey, {
      purpose: secretPurposes.llmModelApiKey(globalId),
    });
    await insertModel(database.db, { id: globalId, orgId: null, envelope: globalEnvelope });

    const [keyRow] = await database.db.select().from(orgDataKeys).where(eq(orgDataKeys.orgId, orgId));
    const dek = unwrapDataKey(keyring, orgId, keyRow!).export();
    const needles = [
      ...[apiKey, creds.access_token, creds.refresh_token, JSON.stringify(creds), globalKey].flatMap(forms),
      ...forms(dek),
      ...[...raw.values()].flatMap(forms),
    ];

    const dumps: [string, string][] = [];
    const { text, tables } = await sqlDump(database.db);
    dumps.push(['sql', text]);
    const pg = await pgDump();
    if (pg !== undefined) dumps.push(['pg_dump', pg]);

    expect(tables).toBeGreaterThan(20);
    console.log(
      `[dump test] checked: ${dumps.map(([name, dump]) => `${name} (${dump.length} chars)`).join(', ')}`,
    );
    for (const [name, dump] of dumps) {
      // The dump really holds the rows: the envelopes, the wrapped key and the hints are there...
      for (const present of [
        modelEnvelope,
        integrationEnvelope,
        globalEnvelope,
        keyRow!.wrappedKey,
        maskSecret(apiKey),
      ]) {
        expect(dump.includes(present), `${name} dump should contain ${present.slice(0, 12)}…`).toBe(true);
      }
      // ...and nothing readable.
      const leaked = needles.filter((needle) => dump.includes(needle));
      expect(leaked, `${name} dump leaks`).toEqual([]);
    }
  });

  it('would catch a leak: a base64 copy in a jsonb column, a hex copy in a text column', async () => {
    const secret = `sk-leak-${randomUUID()}`;
    const orgId = await insertOrg(database.db);
    await database.db.execute(
      sql`update organizations set settings = ${JSON.stringify({ note: Buffer.from(secret).toString('base64') })}::jsonb,
          name = ${Buffer.from(`x${secret}`).toString('hex')} where id = ${orgId}`,
    );
    const { text } = await sqlDump(database.db);
    const caught = forms(secret).filter((needle) => text.includes(needle));
    expect(caught).toEqual(
      expect.arrayContaining([Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]),
    );
    expect(caught).not.toContain(secret); // it was only planted encoded
  });
});
