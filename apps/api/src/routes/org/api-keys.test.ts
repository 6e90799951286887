import { APP_ROLE } from '@agentflow/db';
import { apiKeys } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import type { LogCapture } from '../../test-support/log-capture';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
let logs: LogCapture;
const owner = () => shared.get().db;

beforeAll(async () => {
  await shared.setup();
  ({ app, logs } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

const call = (
  who: TestMember,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload }) });
const withKey = (key: string, url: string) =>
  app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

async function createKey(admin: TestMember, body: Record<string, unknown> = {}) {
  const res = await call(admin, 'POST', '/api/v1/org/api-keys', {
    name: 'CI',
    scopes: ['agents:read'],
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; prefix: string };
}

describe('API keys', () => {
  it('shows the secret once, stores only its SHA-256 hash, and audits the creation', async () => {
    const admin = await createOrgWithOwner(app);
    const res = await call(admin, 'POST', '/api/v1/org/api-keys', {
      name: 'Deploy bot',
      scopes: ['agents:read', 'executions:write', 'agents:read'],
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const key = res.json();
    expect(key.secret).toMatch(/^af_live_[0-9A-Za-z]{40}$/);
    expect(key).toMatchObject({
      name: 'Deploy bot',
      scopes: ['agents:read', 'executions:write'],
      created_by: admin.userId,
      is_active: true,
      last_used_at: null,
    });
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(16);

    const [row] = await owner().select().from(apiKeys).where(eq(apiKeys.id, key.id));
    const { createHash } = await import('node:crypto');
    expect(row!.keyHash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.secret);
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(8));
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'api_key.created',
      resourceId: key.id,
      actor: admin,
    });

    // The listing never carries the secret or the hash.
    const list = await call(admin, 'GET', '/api/v1/org/api-keys');
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toEqual([
      expect.objectContaining({ id: key.id, prefix: key.prefix, is_active: true }),
    ]);
    expect(list.body).not.toContain(key.secret);
    expect(list.body).not.toContain(row!.keyHash);
    expect(list.json().data[0]).not.toHaveProperty('secret');
    // Nor does the audit log.
    const audit = await call(admin, 'GET', '/api/v1/org/audit-logs');
    expect(audit.body).not.toContain(key.secret);
  });

  it('authenticates with X-API-Key within its scopes, and stops (401) once revoked', async () => {
    const admin = await createOrgWithOwner(app);
    const key = await createKey(admin, { scopes: ['agents:read'] });

    const ok = await withKey(key.secret, '/api/v1/org');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().id).toBe(admin.orgId);
    // Member and key management need a person: 403 even for a key of this org.
    expect((await withKey(key.secret, '/api/v1/org/members')).statusCode).toBe(403);
    expect((await withKey(key.secret, '/api/v1/org/api-keys')).statusCode).toBe(403);
    const [used] = await owner().select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(used!.lastUsedAt).not.toBeNull();

    const revoked = await call(admin, 'DELETE', `/api/v1/org/api-keys/${key.id}`);
    expect(revoked.statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'api_key.revoked',
      resourceId: key.id,
      actor: admin,
    });
    const denied = await withKey(key.secret, '/api/v1/org');
    expect(denied.statusCode).toBe(401);
    const listed = (await call(admin, 'GET', '/api/v1/org/api-keys')).json().data[0];
    expect(listed).toMatchObject({ id: key.id, is_active: false });
    expect(listed.revoked_at).not.toBeNull();
    // Revoking again is a no-op (no second audit row).
    expect((await call(admin, 'DELETE', `/api/v1/org/api-keys/${key.id}`)).statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'api_key.revoked',
      resourceId: key.id,
      actor: admin,
    });
  });

  it('validates scopes and expiry', async () => {
    const admin = await createOrgWithOwner(app);
    const badScope = await call(admin, 'POST', '/api/v1/org/api-keys', {
      name: 'x',
      scopes: ['billing:manage'],
    });
    expect(badScope.statusCode).toBe(422);
    expect(badScope.json().error.details.fields[0].path).toMatch(/^body\.scopes/);
    const none = await call(admin, 'POST', '/api/v1/org/api-keys', { name: 'x', scopes: [] });
    expect(none.statusCode).toBe(422);
    const past = await call(admin, 'POST', '/api/v1/org/api-keys', {
      name: 'x',
      scopes: ['agents:read'],
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(422);
    expect(past.json().error.details.fields[0].path).toBe('body.expires_at');
  });

  it('viewers and editors get 403; another org gets 404', async () => {
    const admin = await createOrgWithOwner(app);
    const key = await createKey(admin);
    for (const role of ['viewer', 'editor'] as const) {
      const who = await addMember(app, admin.orgId, role);
      expect((await call(who, 'GET', '/api/v1/org/api-keys')).statusCode).toBe(403);
      expect(
        (await call(who, 'POST', '/api/v1/org/api-keys', { name: 'x', scopes: ['agents:read'] })).statusCode,
      ).toBe(403);
      expect((await call(who, 'DELETE', `/api/v1/org/api-keys/${key.id}`)).statusCode).toBe(403);
    }
    const other = await createOrgWithOwner(app);
    const res = await call(other, 'DELETE', `/api/v1/org/api-keys/${key.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('API_KEY_NOT_FOUND');
    expect((await call(other, 'GET', '/api/v1/org/api-keys')).json().data).toEqual([]);
    expect((await withKey(key.secret, '/api/v1/org')).statusCode).toBe(200);
  });

  it('never logs a key', async () => {
    const admin = await createOrgWithOwner(app);
    const key = await createKey(admin);
    await withKey(key.secret, '/api/v1/org');
    await withKey(`${key.secret}x`, '/api/v1/org');
    expect(logs.text).not.toContain(key.secret);
  });
});
