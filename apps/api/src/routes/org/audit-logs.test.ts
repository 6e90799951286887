import { APP_ROLE } from '@agentflow/db';
import { auditLogs } from '@agentflow/db/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, TEST_USER_AGENT, type TestMember } from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
const owner = () => shared.get().db;

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

type AuditRow = {
  id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  actor: { type: string; user_id: string | null };
  ip_address: string;
  user_agent: string;
  request_id: string;
  created_at: string;
};
const list = async (who: TestMember, query = '') => {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/org/audit-logs${query}`,
    headers: who.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { data: AuditRow[]; next_cursor: string | null };
};

describe('GET /api/v1/org/audit-logs', () => {
  it('records who did what from where, and filters by action, resource, actor and time', async () => {
    const admin = await createOrgWithOwner(app);
    const other = await addMember(app, admin.orgId, 'admin');
    const t0 = new Date();
    const team = await app.inject({
      method: 'POST',
      url: '/api/v1/org/teams',
      headers: { ...admin.headers, 'x-request-id': 'trace-123' },
      payload: { name: 'Audited' },
    });
    const teamId = team.json().id as string;
    await app.inject({
      method: 'PUT',
      url: `/api/v1/org/teams/${teamId}`,
      headers: other.headers,
      payload: { name: 'Renamed' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/org/teams',
      headers: other.headers,
      payload: { name: 'Second' },
    });

    const all = await list(admin);
    expect(all.data.map((r) => r.action)).toEqual(expect.arrayContaining(['team.created', 'team.updated']));
    const created = (await list(admin, `?action=team.created&resource_id=${teamId}`)).data;
    expect(created).toEqual([
      expect.objectContaining({
        action: 'team.created',
        resource_type: 'team',
        resource_id: teamId,
        actor: { type: 'user', user_id: admin.userId, api_key_id: null },
        ip_address: '127.0.0.1',
        user_agent: TEST_USER_AGENT,
        request_id: 'trace-123',
      }),
    ]);

    const byOther = (await list(admin, `?user_id=${other.userId}`)).data;
    expect(byOther.map((r) => r.action).sort()).toEqual(['team.created', 'team.updated']);
    const byResource = (await list(admin, `?resource_type=team&resource_id=${teamId}`)).data;
    expect(byResource.map((r) => r.action).sort()).toEqual(['team.created', 'team.updated']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await list(admin, `?from=${encodeURIComponent(future)}`)).data).toEqual([]);
    expect(
      (await list(admin, `?to=${encodeURIComponent(t0.toISOString())}&action=team.created`)).data,
    ).toEqual([]);

    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/org/audit-logs?from=yesterday',
      headers: admin.headers,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.fields[0].path).toBe('query.from');
  });

  it('pages with an opaque cursor: 3 pages, newest first, nothing lost or repeated', async () => {
    const admin = await createOrgWithOwner(app);
    // Seven rows, three of them sharing one timestamp: the id breaks ties, and timestamps keep their
    // microseconds in the cursor.
    const base = Date.now() - 10_000;
    const at = [0, 1, 2, 2, 2, 3, 4].map((offset) => new Date(base + offset * 1000 + 0.123));
    await owner()
      .insert(auditLogs)
      .values(
        at.map((createdAt, i) => ({
          orgId: admin.orgId,
          action: 'test.event',
          resourceType: 'test',
          details: { i },
          createdAt,
        })),
      );
    await owner()
      .insert(auditLogs)
      .values({ orgId: (await createOrgWithOwner(app)).orgId, action: 'test.event' });

    const pages: AuditRow[][] = [];
    let cursor: string | null = null;
    do {
      const page: { data: AuditRow[]; next_cursor: string | null } = await list(
        admin,
        `?action=test.event&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      pages.push(page.data);
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const rows = pages.flat();
    expect(new Set(rows.map((r) => r.id)).size).toBe(7);
    const keys = rows.map((r) => `${r.created_at}|${r.id}`);
    const sorted = [...rows]
      .sort((a, b) =>
        a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
      )
      .map((r) => `${r.created_at}|${r.id}`);
    expect(keys).toEqual(sorted);

    const forged = await app.inject({
      method: 'GET',
      url: `/api/v1/org/audit-logs?cursor=${Buffer.from('{"t":"x","i":"y"}').toString('base64url')}`,
      headers: admin.headers,
    });
    expect(forged.statusCode).toBe(422);
  });

  it('is for owners and admins only, and shows only the own org', async () => {
    const admin = await createOrgWithOwner(app);
    const outsider = await createOrgWithOwner(app);
    await app.inject({
      method: 'POST',
      url: '/api/v1/org/teams',
      headers: outsider.headers,
      payload: { name: 'Theirs' },
    });
    for (const role of ['viewer', 'editor'] as const) {
      const who = await addMember(app, admin.orgId, role);
      const res = await app.inject({ method: 'GET', url: '/api/v1/org/audit-logs', headers: who.headers });
      expect(res.statusCode).toBe(403);
    }
    const mine = await list(admin);
    expect(mine.data.every((r) => r.actor.user_id !== outsider.userId)).toBe(true);
    expect((await list(admin, '?action=team.created')).data).toEqual([]);
  });
});
