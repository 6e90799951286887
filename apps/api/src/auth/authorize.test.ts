import {
  type ApiKeyScope,
  apiKeyScopes,
  type Permission,
  permissionScope,
  permissions,
  type Role,
  roleHasPermission,
  roles,
} from '@agentflow/contracts';
import { APP_ROLE, asSystem } from '@agentflow/db';
import { apiKeys } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { addMember, createApiKey, createUserWithOrg, type TestUser } from '../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../test-support/test-app';
import { authorize } from './guards';
import { serviceContext } from './service-context';

/** One test route per permission, guarded by authorize(); it echoes the service context it got. */
const permissionRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const permission of permissions) {
    app.get(
      `/test/authz/${permission.replace(':', '/')}`,
      { onRequest: authorize(permission) },
      async (request) => {
        const ctx = serviceContext(request);
        return { orgId: ctx.orgId, actor: ctx.actor, requestId: ctx.requestId };
      },
    );
  }
};

const db = sharedTestDatabase();
let app: App;
const members = {} as Record<Role, TestUser>;

beforeAll(async () => {
  await db.setup();
  ({ app } = await createTestApp({ database: db.get().connectAs(APP_ROLE), plugins: [permissionRoutes] }));
  members.owner = await createUserWithOrg(app);
  for (const role of roles.filter((r) => r !== 'owner'))
    members[role] = await addMember(app, members.owner.org.id, role);
});
afterAll(async () => {
  await app?.close();
  await db.teardown();
});

const call = (permission: Permission, headers: Record<string, string>) =>
  app.inject({ url: `/api/v1/test/authz/${permission.replace(':', '/')}`, headers });

describe('authorize() for users: every role x every permission (seed 004 §8.2)', () => {
  const cases = roles.flatMap((role) => permissions.map((permission) => [role, permission] as const));

  it.each(cases)('%s / %s', async (role, permission) => {
    const res = await call(permission, members[role].headers);
    if (roleHasPermission(role, permission)) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        orgId: members.owner.org.id,
        actor: { type: 'user', userId: members[role].user.id },
      });
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'FORBIDDEN',
        details: { required_permission: permission, role },
      });
    }
  });

  // Guards against the matrix helper and this test agreeing on a wrong answer: spot-check the PRD.
  it('matches the PRD on the edges', () => {
    expect(roleHasPermission('viewer', 'executions:view')).toBe(true);
    expect(roleHasPermission('viewer', 'agents:create')).toBe(false);
    expect(roleHasPermission('editor', 'agents:delete')).toBe(false);
    expect(roleHasPermission('admin', 'billing:manage')).toBe(false);
    expect(roleHasPermission('owner', 'billing:manage')).toBe(true);
  });
});

describe('authorize() for API keys: scopes', () => {
  const allScopes = [...apiKeyScopes];

  it.each(permissions)('%s: allowed only with its scope, never when it maps to null', async (permission) => {
    const scope = permissionScope[permission];
    const full = await createApiKey(app, members.owner.org.id, allScopes);
    const res = await call(permission, full.headers);
    if (scope === null) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.details).toMatchObject({
        reason: 'api_key_not_allowed',
        required_permission: permission,
      });
      return;
    }
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      orgId: members.owner.org.id,
      actor: { type: 'api_key', apiKeyId: full.id },
    });

    const without = await createApiKey(
      app,
      members.owner.org.id,
      allScopes.filter((s): s is ApiKeyScope => s !== scope),
    );
    const denied = await call(permission, without.headers);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: scope } });
  });

  it('rejects unknown, revoked and expired keys, and updates last_used_at at most once a minute', async () => {
    const orgId = members.owner.org.id;
    const unknown = await call('agents:view', { 'x-api-key': 'af_nope' });
    expect(unknown.json().error.code).toBe('AUTH_TOKEN_INVALID');

    const revoked = await createApiKey(app, orgId, ['agents:read'], { isActive: false });
    expect((await call('agents:view', revoked.headers)).json().error.code).toBe('AUTH_TOKEN_BLACKLISTED');

    const expired = await createApiKey(app, orgId, ['agents:read'], {
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await call('agents:view', expired.headers)).json().error.code).toBe('AUTH_TOKEN_EXPIRED');

    const key = await createApiKey(app, orgId, ['agents:read']);
    const lastUsed = () =>
      asSystem(app.authDeps.db, 'test: read last_used_at', async (tx) => {
        const [row] = await tx.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, key.id));
        return row?.at;
      });
    expect(await lastUsed()).toBeNull();
    await call('agents:view', key.headers);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await call('agents:view', key.headers);
    expect((await lastUsed())?.getTime()).toBe(first?.getTime());
  });

  it('does not let an API key use person-only endpoints', async () => {
    const key = await createApiKey(app, members.owner.org.id, [...apiKeyScopes]);
    const res = await app.inject({ url: '/api/v1/auth/me', headers: key.headers });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.details).toMatchObject({ reason: 'user_required' });
  });
});
