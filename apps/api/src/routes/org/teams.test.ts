import { APP_ROLE } from '@agentflow/db';
import { teamMemberships } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from './test-fixtures';

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

const call = (
  who: TestMember,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload }) });

describe('teams', () => {
  it('create, read, rename, list, delete, each audited', async () => {
    const admin = await createOrgWithOwner(app);
    const created = await call(admin, 'POST', '/api/v1/org/teams', {
      name: 'Platform',
      description: 'Infra',
    });
    expect(created.statusCode).toBe(201);
    const team = created.json();
    expect(team).toMatchObject({ name: 'Platform', description: 'Infra', member_count: 0 });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'team.created',
      resourceId: team.id,
      actor: admin,
    });

    const dup = await call(admin, 'POST', '/api/v1/org/teams', { name: 'Platform' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.fields[0].path).toBe('body.name');

    const renamed = await call(admin, 'PUT', `/api/v1/org/teams/${team.id}`, {
      name: 'Platform Eng',
      description: null,
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Platform Eng', description: null });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'team.updated',
      resourceId: team.id,
      actor: admin,
      details: { changes: { name: { from: 'Platform', to: 'Platform Eng' } } },
    });

    await call(admin, 'POST', '/api/v1/org/teams', { name: 'Data' });
    await call(admin, 'POST', '/api/v1/org/teams', { name: 'Design' });
    const page1 = await call(admin, 'GET', '/api/v1/org/teams?limit=2');
    expect(page1.json().data).toHaveLength(2);
    const page2 = await call(admin, 'GET', `/api/v1/org/teams?limit=2&cursor=${page1.json().next_cursor}`);
    expect(page2.json()).toMatchObject({ next_cursor: null });
    expect(page2.json().data).toHaveLength(1);

    const del = await call(admin, 'DELETE', `/api/v1/org/teams/${team.id}`);
    expect(del.statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'team.deleted',
      resourceId: team.id,
      actor: admin,
    });
    const gone = await call(admin, 'GET', `/api/v1/org/teams/${team.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('TEAM_NOT_FOUND');
  });

  it('membership: add org members only, list them, remove them, each audited', async () => {
    const admin = await createOrgWithOwner(app);
    const editor = await addMember(app, admin.orgId, 'editor');
    const outsider = await createOrgWithOwner(app);
    const team = (await call(admin, 'POST', '/api/v1/org/teams', { name: 'Support' })).json();

    const added = await call(admin, 'POST', `/api/v1/org/teams/${team.id}/members`, {
      user_id: editor.userId,
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      member_count: 1,
      members: [{ user_id: editor.userId, email: editor.email, role: 'editor' }],
    });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'team.member_added',
      resourceId: team.id,
      actor: admin,
      details: { user_id: editor.userId },
    });
    const twice = await call(admin, 'POST', `/api/v1/org/teams/${team.id}/members`, {
      user_id: editor.userId,
    });
    expect(twice.statusCode).toBe(409);

    const notMember = await call(admin, 'POST', `/api/v1/org/teams/${team.id}/members`, {
      user_id: outsider.userId,
    });
    expect(notMember.statusCode).toBe(404);
    expect(notMember.json().error.code).toBe('MEMBER_NOT_FOUND');

    // Any member can read teams.
    const read = await call(editor, 'GET', `/api/v1/org/teams/${team.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().members).toHaveLength(1);

    const removed = await call(admin, 'DELETE', `/api/v1/org/teams/${team.id}/members/${editor.userId}`);
    expect(removed.statusCode).toBe(204);
    expect(await owner().select().from(teamMemberships).where(eq(teamMemberships.teamId, team.id))).toEqual(
      [],
    );
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'team.member_removed',
      resourceId: team.id,
      actor: admin,
    });
    const again = await call(admin, 'DELETE', `/api/v1/org/teams/${team.id}/members/${editor.userId}`);
    expect(again.statusCode).toBe(404);
  });

  it('viewers and editors cannot change teams (403)', async () => {
    const admin = await createOrgWithOwner(app);
    const team = (await call(admin, 'POST', '/api/v1/org/teams', { name: 'Locked' })).json();
    for (const role of ['viewer', 'editor'] as const) {
      const who = await addMember(app, admin.orgId, role);
      expect((await call(who, 'POST', '/api/v1/org/teams', { name: 'X' })).statusCode).toBe(403);
      expect((await call(who, 'PUT', `/api/v1/org/teams/${team.id}`, { name: 'X' })).statusCode).toBe(403);
      expect((await call(who, 'DELETE', `/api/v1/org/teams/${team.id}`)).statusCode).toBe(403);
      expect(
        (await call(who, 'POST', `/api/v1/org/teams/${team.id}/members`, { user_id: who.userId })).statusCode,
      ).toBe(403);
      expect(
        (await call(who, 'DELETE', `/api/v1/org/teams/${team.id}/members/${who.userId}`)).statusCode,
      ).toBe(403);
      expect((await call(who, 'GET', '/api/v1/org/teams')).statusCode).toBe(200);
    }
  });

  it("another org's team is a 404 on every route", async () => {
    const a = await createOrgWithOwner(app);
    const b = await createOrgWithOwner(app);
    const team = (await call(a, 'POST', '/api/v1/org/teams', { name: 'Secret' })).json();
    const requests = [
      call(b, 'GET', `/api/v1/org/teams/${team.id}`),
      call(b, 'PUT', `/api/v1/org/teams/${team.id}`, { name: 'Mine' }),
      call(b, 'DELETE', `/api/v1/org/teams/${team.id}`),
      call(b, 'POST', `/api/v1/org/teams/${team.id}/members`, { user_id: b.userId }),
      call(b, 'DELETE', `/api/v1/org/teams/${team.id}/members/${a.userId}`),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('TEAM_NOT_FOUND');
    }
    expect((await call(b, 'GET', '/api/v1/org/teams')).json().data).toEqual([]);
    expect((await call(a, 'GET', `/api/v1/org/teams/${team.id}`)).json().name).toBe('Secret');
  });
});
