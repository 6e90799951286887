import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../client';
import { pgErrorCode } from '../client/errors';
import { APP_ROLE } from '../client/roles';
import type { Database } from '../client/types';
import { drivers } from '../test-support/drivers';
import { seedOrg } from '../test-support/fixtures';
import { count } from '../test-support/sql';
import type { TestDatabase } from '../testing';
import { executeInOrg, withOrg } from '.';

/**
 * A TCP proxy in front of Postgres that counts round trips: how many times the client starts
 * sending again after the server has answered. A pipelined batch is one; BEGIN, statement, COMMIT
 * each awaited is three.
 */
async function roundTripProxy(target: URL): Promise<{ url: string; flights(): number; close(): void }> {
  let flights = 0;
  let serverSpokeLast = true;
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (chunk) => {
      if (serverSpokeLast) flights++;
      serverSpokeLast = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      serverSpokeLast = true;
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    flights: () => flights,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`executeInOrg ${driver.label}`, () => {
    let owner: TestDatabase;
    let app: Database;
    let a: Awaited<ReturnType<typeof seedOrg>>;
    let b: Awaited<ReturnType<typeof seedOrg>>;

    beforeAll(async () => {
      owner = await driver.create();
      // One connection: what a call leaves on it is what the next one finds.
      app = driver.databaseUrl
        ? await createDb({ databaseUrl: databaseUrlOf(owner), maxConnections: 1, role: APP_ROLE })
        : owner.connectAs(APP_ROLE);
      a = await seedOrg(owner.db);
      b = await seedOrg(owner.db);
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await owner?.cleanup();
    });

    it('runs the statement in the org (RLS applies) and commits it', async () => {
      const rows = await executeInOrg<{ org: string; visible: number }>(
        app.db,
        a.org.id,
        sql`with t as (insert into teams (org_id, name) values (${a.org.id}, 'pipelined') returning id)
            select current_setting('app.org_id', true) as org,
                   (select count(*) from teams)::int as visible, (select count(*) from t)::int as n`,
      );
      expect(rows).toEqual([{ org: a.org.id, visible: 1, n: 1 }]);
      expect(await count(owner, 'teams', sql`name = 'pipelined'`)).toBe(1);
      // The setting was local to that transaction: the connection does not keep it.
      const [after] = await app.db
        .execute(sql`select current_setting('app.org_id', true) as org`)
        .then((r) => (Array.isArray(r) ? r : (r as { rows: Array<{ org: string | null }> }).rows));
      expect(after?.org ?? '').toBe('');
    });

    it("refuses another org's rows like withOrg does", async () => {
      const error = await executeInOrg(
        app.db,
        a.org.id,
        sql`insert into teams (org_id, name) values (${b.org.id}, 'intruder')`,
      ).catch((e: unknown) => e);
      expect(pgErrorCode(error)).toBe('42501'); // new row violates row-level security policy
      expect(await count(owner, 'teams', sql`name = 'intruder'`)).toBe(0);
    });

    it('a statement that fails stores nothing, and the connection is usable after', async () => {
      const error = await executeInOrg(
        app.db,
        a.org.id,
        // Fails after its insert ran, on a value only known then.
        sql`with t as (insert into teams (org_id, name) values (${a.org.id}, 'rolled back') returning id)
            select ('inserted ' || (select count(*) from t))::int as boom`,
      ).catch((e: unknown) => e);
      expect(pgErrorCode(error)).toBe('22P02'); // invalid_text_representation: "inserted 1"
      expect(await count(owner, 'teams', sql`name = 'rolled back'`)).toBe(0);
      const [row] = await executeInOrg<{ n: number }>(
        app.db,
        a.org.id,
        sql`select count(*)::int as n from teams`,
      );
      expect(row?.n).toBe(2);
    });

    it('validates the org id', async () => {
      await expect(executeInOrg(app.db, 'not-a-uuid', sql`select 1`)).rejects.toThrow(/uuid/);
    });

    // Only postgres.js talks over a socket (PGlite runs in the process): defined for it alone.
    if (driver.name === 'postgres') {
      it('is one round trip on postgres.js (withOrg: three or more), once the statements are prepared', async () => {
        const proxy = await roundTripProxy(new URL(databaseUrlOf(owner)));
        const proxied = await createDb({ databaseUrl: proxy.url, maxConnections: 1, role: APP_ROLE });
        try {
          const statement = sql`select count(*)::int as n from teams where name <> ${'x'}`;
          // Connects, and prepares both statements on the connection (a first run waits for describe).
          await executeInOrg(proxied.db, a.org.id, statement);
          await executeInOrg(proxied.db, a.org.id, statement);
          const before = proxy.flights();
          const [row] = await executeInOrg<{ n: number }>(proxied.db, a.org.id, statement);
          expect(row?.n).toBe(2);
          expect(proxy.flights() - before).toBe(1);

          const viaDrizzle = proxy.flights();
          await withOrg(proxied.db, a.org.id, (tx) => tx.execute(statement));
          // BEGIN, then set_config and the statement (each unnamed, so parse + describe first, then
          // bind), then COMMIT.
          expect(proxy.flights() - viaDrizzle).toBeGreaterThanOrEqual(3);
        } finally {
          await proxied.close();
          proxy.close();
        }
      });
    }
  });
}

function databaseUrlOf(database: TestDatabase): string {
  const url = new URL(process.env.DATABASE_URL ?? '');
  url.pathname = `/${database.name}`;
  return url.toString();
}
