import { APP_ROLE } from '@agentflow/db';
import { organizations, orgMemberships, refreshTokens, teamMemberships, teams } from '@agentflow/db/schema';
import { issueSession } from '@agentflow/services';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
const owner = () => shared.get().db;

beforeAll(async () => {
  await shared.setup();
  // The app runs as agentflow_app, so every query below also passes row-level security.
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

const get = (who: TestMember, url: string) => app.inject({ method: 'GET', url, headers: who.headers });
const send = (
  who: TestMember,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload }) });

describe('GET/PUT /api/v1/org', () => {
  it('any member reads the org; an admin renames it, changes the slug and merges settings', async () => {
    const ownerUser = await createOrgWithOwner(app, 'Acme');
    const viewer = await addMember(app, ownerUser.orgId, 'viewer');
    const admin = await addMember(app, ownerUser.orgId, 'admin');

    const read = await get(viewer, '/api/v1/org');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: ownerUser.orgId, name: 'Acme', plan: 'starter', settings: {} });

    await owner()
      .update(organizations)
      .set({ settings: { sso: { connection: 'c1' }, theme: 'dark' } })
      .where(eq(organizations.id, ownerUser.orgId));
    const updated = await send(admin, 'PUT', '/api/v1/org', {
      name: 'Acme Robotics',
      slug: 'acme-robotics',
      settings: { theme: null, timezone: 'UTC' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      name: 'Acme Robotics',
      slug: 'acme-robotics',
      // Merged, not replaced: a key set by another feature survives.
      settings: { sso: { connection: 'c1' }, timezone: 'UTC' },
    });
    expect(updated.json().settings).not.toHaveProperty('theme');
    await expectAudit(owner(), {
      orgId: ownerUser.orgId,
      action: 'org.updated',
      resourceId: ownerUser.orgId,
      actor: admin,
      details: { changes: { name: { from: 'Acme', to: 'Acme Robotics' } } },
    });

    expect((await send(viewer, 'PUT', '/api/v1/org', { name: 'Nope' })).statusCode).toBe(403);
  });

  it('refuses a slug taken by another org (409) and a malformed one (422)', async () => {
    const a = await createOrgWithOwner(app);
    const b = await createOrgWithOwner(app);
    const [orgB] = await owner().select().from(organizations).where(eq(organizations.id, b.orgId));
    const taken = await send(a, 'PUT', '/api/v1/org', { slug: orgB!.slug });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('CONFLICT');
    expect(taken.json().error.details.fields[0].path).toBe('body.slug');

    const bad = await send(a, 'PUT', '/api/v1/org', { slug: 'Not A Slug' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.fields[0].path).toBe('body.slug');
    expect((await send(a, 'PUT', '/api/v1/org', {})).statusCode).toBe(422);
  });

  it('refuses to write SSO settings, which only the audited /org/sso endpoint may change', async () => {
    const a = await createOrgWithOwner(app);
    const res = await send(a, 'PUT', '/api/v1/org', {
      settings: { sso: { workos_organization_id: 'org_x', default_role: 'owner' } },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.fields[0].path).toBe('body.settings');
    const [row] = await owner().select().from(organizations).where(eq(organizations.id, a.orgId));
    expect(row?.settings).not.toHaveProperty('sso');
  });
});

describe('GET /api/v1/org/members', () => {
  it('pages through members with email, name and role; only this org', async () => {
    const ownerUser = await createOrgWithOwner(app);
    for (let i = 0; i < 4; i++) await addMember(app, ownerUser.orgId, 'editor');
    await createOrgWithOwner(app); // someone else's org must not show up

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await get(ownerUser, `/api/v1/org/members?limit=2${query}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        data: { user_id: string; email: string; role: string }[];
        next_cursor: string | null;
      };
      seen.push(...body.data.map((m) => m.user_id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toContain(ownerUser.userId);

    const owners = await get(ownerUser, '/api/v1/org/members?role=owner');
    expect(owners.json().data).toEqual([
      expect.objectContaining({ user_id: ownerUser.userId, email: ownerUser.email, role: 'owner' }),
    ]);
    const badCursor = await get(ownerUser, '/api/v1/org/members?cursor=bm9wZQ');
    expect(badCursor.statusCode).toBe(422);
    expect(badCursor.json().error.details.fields[0].path).toBe('query.cursor');
  });
});

describe('PUT /api/v1/org/members/:id/role', () => {
  it('an admin changes editors and viewers, and is audited', async () => {
    const ownerUser = await createOrgWithOwner(app);
    const admin = await addMember(app, ownerUser.orgId, 'admin');
    const editor = await addMember(app, ownerUser.orgId, 'editor');

    const res = await send(admin, 'PUT', `/api/v1/org/members/${editor.userId}/role`, { role: 'viewer' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user_id: editor.userId, role: 'viewer' });
    await expectAudit(owner(), {
      orgId: ownerUser.orgId,
      action: 'member.role_changed',
      resourceId: editor.userId,
      actor: admin,
      details: { from: 'editor', to: 'viewer' },
    });
    // The new role applies to the member's very next request (re-read per request).
    expect((await get(editor, '/api/v1/org/members')).statusCode).toBe(200);
  });

  it('an admin can neither grant nor take away owner; an owner can', async () => {
    const ownerUser = await createOrgWithOwner(app);
    const admin = await addMember(app, ownerUser.orgId, 'admin');
    const editor = await addMember(app, ownerUser.orgId, 'editor');

    const grant = await send(admin, 'PUT', `/api/v1/org/members/${editor.userId}/role`, { role: 'owner' });
    expect(grant.statusCode).toBe(403);
    expect(grant.json().error.code).toBe('FORBIDDEN');
    const demote = await send(admin, 'PUT', `/api/v1/org/members/${ownerUser.userId}/role`, {
      role: 'admin',
    });
    expect(demote.statusCode).toBe(403);
    const remove = await send(admin, 'DELETE', `/api/v1/org/members/${ownerUser.userId}`);
    expect(remove.statusCode).toBe(403);
    const selfPromote = await send(admin, 'PUT', `/api/v1/org/members/${admin.userId}/role`, {
      role: 'owner',
    });
    expect(selfPromote.statusCode).toBe(403);

    const promoted = await send(ownerUser, 'PUT', `/api/v1/org/members/${editor.userId}/role`, {
      role: 'owner',
    });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().role).toBe('owner');
  });

  it('the last owner can be neither demoted nor removed (409); with two owners one may go', async () => {
    const first = await createOrgWithOwner(app);
    const demote = await send(first, 'PUT', `/api/v1/org/members/${first.userId}/role`, { role: 'admin' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error).toMatchObject({ code: 'CONFLICT', details: { reason: 'last_owner' } });
    expect(demote.json().error.message).toMatch(/last owner/);
    const remove = await send(first, 'DELETE', `/api/v1/org/members/${first.userId}`);
    expect(remove.statusCode).toBe(409);
    expect(remove.json().error.details.reason).toBe('last_owner');

    const second = await addMember(app, first.orgId, 'owner');
    expect(
      (await send(second, 'PUT', `/api/v1/org/members/${first.userId}/role`, { role: 'admin' })).statusCode,
    ).toBe(200);
    // Now `second` is the last owner again.
    const again = await send(second, 'DELETE', `/api/v1/org/members/${second.userId}`);
    expect(again.statusCode).toBe(409);
  });

  it('two owners demoting each other at once: exactly one succeeds, the org keeps an owner', async () => {
    const a = await createOrgWithOwner(app);
    const b = await addMember(app, a.orgId, 'owner');
    const results = await Promise.all([
      send(a, 'PUT', `/api/v1/org/members/${b.userId}/role`, { role: 'admin' }),
      send(b, 'PUT', `/api/v1/org/members/${a.userId}/role`, { role: 'admin' }),
    ]);
    // The loser waits for the winner's locks, then sees either that it is no longer an owner (403) or
    // that its target is the last owner (409), depending on which statement the race reached.
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    const owners = await owner()
      .select()
      .from(orgMemberships)
      .where(and(eq(orgMemberships.orgId, a.orgId), eq(orgMemberships.role, 'owner')));
    expect(owners).toHaveLength(1);
  });

  it('viewers and editors get 403; bad role 422; another org\u2019s member 404', async () => {
    const ownerUser = await createOrgWithOwner(app);
    const viewer = await addMember(app, ownerUser.orgId, 'viewer');
    const editor = await addMember(app, ownerUser.orgId, 'editor');
    const other = await createOrgWithOwner(app);

    for (const who of [viewer, editor]) {
      const res = await send(who, 'PUT', `/api/v1/org/members/${ownerUser.userId}/role`, { role: 'viewer' });
      expect(res.statusCode).toBe(403);
      expect((await send(who, 'DELETE', `/api/v1/org/members/${ownerUser.userId}`)).statusCode).toBe(403);
    }
    const bad = await send(ownerUser, 'PUT', `/api/v1/org/members/${viewer.userId}/role`, { role: 'god' });
    expect(bad.statusCode).toBe(422);

    const foreign = await send(ownerUser, 'PUT', `/api/v1/org/members/${other.userId}/role`, {
      role: 'viewer',
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('MEMBER_NOT_FOUND');
    expect((await send(ownerUser, 'DELETE', `/api/v1/org/members/${other.userId}`)).json().error.code).toBe(
      'MEMBER_NOT_FOUND',
    );
  });
});

describe('DELETE /api/v1/org/members/:id', () => {
  it('removes the membership and team memberships, revokes the org sessions, locks the user out', async () => {
    const ownerUser = await createOrgWithOwner(app);
    const editor = await addMember(app, ownerUser.orgId, 'editor');
    // A second session of the editor in their other org must survive.
    const elsewhere = await createOrgWithOwner(app);
    await owner()
      .insert(orgMemberships)
      .values({ orgId: elsewhere.orgId, userId: editor.userId, role: 'viewer' });
    await issueSession(app.authDeps, { userId: editor.userId, orgId: elsewhere.orgId }, {});
    const [team] = await owner().insert(teams).values({ orgId: ownerUser.orgId, name: 'Core' }).returning();
    await owner()
      .insert(teamMemberships)
      .values({ orgId: ownerUser.orgId, teamId: team!.id, userId: editor.userId });

    const res = await send(ownerUser, 'DELETE', `/api/v1/org/members/${editor.userId}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    const live = await owner()
      .select({ orgId: refreshTokens.orgId, reason: refreshTokens.revokedReason })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.userId, editor.userId)));
    expect(
      live.filter((t) => t.orgId === ownerUser.orgId).every((t) => t.reason === 'membership_removed'),
    ).toBe(true);
    expect(live.filter((t) => t.orgId === ownerUser.orgId).length).toBeGreaterThan(0);
    const stillValid = await owner()
      .select()
      .from(refreshTokens)
      .where(
        and(
          eq(refreshTokens.userId, editor.userId),
          eq(refreshTokens.orgId, elsewhere.orgId),
          isNull(refreshTokens.revokedAt),
        ),
      );
    expect(stillValid).toHaveLength(1);
    expect(
      await owner().select().from(teamMemberships).where(eq(teamMemberships.userId, editor.userId)),
    ).toEqual([]);

    // The access token they still hold no longer works for this org.
    const after = await get(editor, '/api/v1/org');
    expect(after.statusCode).toBe(401);
    await expectAudit(owner(), {
      orgId: ownerUser.orgId,
      action: 'member.removed',
      resourceId: editor.userId,
      actor: ownerUser,
      details: { role: 'editor' },
    });
  });
});
