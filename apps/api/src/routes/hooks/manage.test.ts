import { APP_ROLE } from '@agentflow/db';
import { auditLogs, webhookEndpoints } from '@agentflow/db/schema';
import { rotateOrgKey } from '@agentflow/services';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller, createAgentAs } from '../agents/test-fixtures';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from '../org/test-fixtures';
import { createHookAgent, deliver, waitForStatus, webhookDefinition } from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
let owner: TestMember;
const call = caller(() => app);
const ownerDb = () => shared.get().db;

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
  owner = await createOrgWithOwner(app);
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

const patch = (who: { headers: Record<string, string> }, agentId: string, payload: unknown) =>
  app.inject({
    method: 'PATCH',
    url: `/api/v1/agents/${agentId}/webhook`,
    headers: who.headers,
    payload: payload as Record<string, unknown>,
  });

async function endpointRow(agentId: string) {
  const [row] = await ownerDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.agentId, agentId));
  return row;
}

describe('webhook endpoints follow the published trigger', () => {
  it('publishing a webhook-triggered agent creates its endpoint (once); a manual agent gets none', async () => {
    const manual = await createAgentAs(app, owner, { template: 'starter' });
    await call(owner, 'POST', `/api/v1/agents/${manual.id}/publish`, { change_message: 'v1' });
    const none = await call(owner, 'GET', `/api/v1/agents/${manual.id}/webhook`);
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect(await endpointRow(manual.id)).toBeUndefined();

    const agent = await createAgentAs(app, owner, {
      trigger_type: 'webhook',
      definition: webhookDefinition(),
    });
    // A draft is not enough: only a published webhook trigger gets an address.
    expect((await call(owner, 'GET', `/api/v1/agents/${agent.id}/webhook`)).statusCode).toBe(404);
    expect(await endpointRow(agent.id)).toBeUndefined();

    const published = await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, {
      change_message: 'v1',
    });
    expect(published.statusCode, published.body).toBe(201);
    const res = await call(owner, 'GET', `/api/v1/agents/${agent.id}/webhook`);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view).toEqual({
      id: expect.any(String),
      agent_id: agent.id,
      hook_id: expect.stringMatching(/^wh_[A-Za-z0-9_-]{32}$/),
      path: `/api/v1/hooks/${view.hook_id}`,
      mode: 'signed',
      is_active: true,
      method: 'POST',
      response_mode: 'async',
      secret_hint: expect.stringMatching(/^whsec_….{4}$/),
      previous_secret_expires_at: null,
      last_triggered_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    await expectAudit(ownerDb(), {
      orgId: owner.orgId,
      action: 'webhook.created',
      resourceId: view.id,
      actor: owner,
      details: { agent_id: agent.id, hook_id: view.hook_id, mode: 'signed' },
    });

    // The secret is sealed: the row holds neither it nor its key bytes.
    const secret = (await call(owner, 'POST', `/api/v1/agents/${agent.id}/webhook/secret`)).json().secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret.slice(-4)).toBe(view.secret_hint.slice(-4));
    const row = await endpointRow(agent.id);
    expect(row!.secretEncrypted).toMatch(/^v1\.1\./);
    expect(row!.dataKeyVersion).toBe(1);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice('whsec_'.length));
    expect(stored).not.toContain(Buffer.from(secret.slice(6), 'base64').toString('hex'));

    // Publishing again keeps the address and the secret.
    await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v2' });
    const again = (await call(owner, 'GET', `/api/v1/agents/${agent.id}/webhook`)).json();
    expect(again.hook_id).toBe(view.hook_id);
    expect((await call(owner, 'POST', `/api/v1/agents/${agent.id}/webhook/secret`)).json().secret).toBe(
      secret,
    );
    const rows = await ownerDb()
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.agentId, agent.id));
    expect(rows).toHaveLength(1);
  });

  it('shows the trigger’s method and response mode', async () => {
    const hook = await createHookAgent(app, owner, { method: 'PUT', responseMode: 'sync' });
    const view = (await call(owner, 'GET', `/api/v1/agents/${hook.agentId}/webhook`)).json();
    expect(view).toMatchObject({ method: 'PUT', response_mode: 'sync' });
  });
});

describe('permissions', () => {
  it('every member sees the hint; revealing needs editor or above (keys: agents:write) and is audited', async () => {
    const hook = await createHookAgent(app, owner);
    const viewer = await addMember(app, owner.orgId, 'viewer');
    const editor = await addMember(app, owner.orgId, 'editor');

    const seen = await call(viewer, 'GET', `/api/v1/agents/${hook.agentId}/webhook`);
    expect(seen.statusCode).toBe(200);
    expect(seen.body).not.toContain(hook.secret);
    for (const [method, url, body] of [
      ['POST', `/api/v1/agents/${hook.agentId}/webhook/secret`, undefined],
      ['POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, {}],
    ] as const) {
      const denied = await call(viewer, method, url, body);
      expect([denied.statusCode, denied.json().error.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await patch(viewer, hook.agentId, { is_active: false })).statusCode).toBe(403);

    const revealed = await call(editor, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json()).toEqual({ secret: hook.secret });
    // One row per reveal: the owner's (createHookAgent) and the editor's.
    const reveals = await ownerDb()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'webhook.secret_revealed'), eq(auditLogs.resourceId, seen.json().id)));
    expect(reveals.map((r) => r.userId).sort()).toEqual([owner.userId, editor.userId].sort());
    expect(reveals.find((r) => r.userId === editor.userId)?.details).toMatchObject({
      agent_id: hook.agentId,
      actor: { type: 'user', user_id: editor.userId },
    });
    expect(JSON.stringify(reveals)).not.toContain(hook.secret);

    const reader = await createApiKey(app, owner.orgId, ['agents:read']);
    expect((await call(reader, 'GET', `/api/v1/agents/${hook.agentId}/webhook`)).statusCode).toBe(200);
    const keyDenied = await call(reader, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`);
    expect(keyDenied.statusCode).toBe(403);
    expect(keyDenied.json().error.details.required_scope).toBe('agents:write');
    const writer = await createApiKey(app, owner.orgId, ['agents:write']);
    const byKey = await call(writer, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`);
    expect(byKey.json()).toEqual({ secret: hook.secret });
  });

  it('names the field of a bad update or rotation body', async () => {
    const hook = await createHookAgent(app, owner);
    const empty = await patch(owner, hook.agentId, {});
    expect([empty.statusCode, empty.json().error.code]).toEqual([422, 'VALIDATION_ERROR']);
    const badMode = await patch(owner, hook.agentId, { mode: 'hmac' });
    expect(badMode.statusCode).toBe(422);
    expect(badMode.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual(['body.mode']);
    for (const overlap of [604_801, -1, 1.5, '60']) {
      const res = await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, {
        overlap_seconds: overlap,
      });
      expect(res.statusCode, String(overlap)).toBe(422);
      expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toEqual([
        'body.overlap_seconds',
      ]);
    }
    // Nothing rotated by the refused calls.
    expect((await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`)).json().secret).toBe(
      hook.secret,
    );
  });
});

describe('rotation', () => {
  it('keeps the old secret valid for the overlap, then only the new one verifies', async () => {
    const hook = await createHookAgent(app, owner);
    const before = Date.now();
    const rotated = await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, {});
    expect(rotated.statusCode, rotated.body).toBe(200);
    const body = rotated.json();
    const secret: string = body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(hook.secret);
    expect(body.secret_hint).toBe(`whsec_…${secret.slice(-4)}`);
    const expires = new Date(body.previous_secret_expires_at).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 5000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 5000);
    expect((await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`)).json().secret).toBe(
      secret,
    );

    const audit = await expectAudit(ownerDb(), {
      orgId: owner.orgId,
      action: 'webhook.secret_rotated',
      resourceId: body.id,
      actor: owner,
      details: { agent_id: hook.agentId, overlap_seconds: 86_400 },
    });
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(audit)).not.toContain(hook.secret);

    // During the overlap both secrets verify.
    const old = await deliver(app, hook.path, '{"n":1}', { secret: hook.secret });
    expect(old.statusCode, old.body).toBe(202);
    const fresh = await deliver(app, hook.path, '{"n":2}', { secret });
    expect(fresh.statusCode, fresh.body).toBe(202);

    // The overlap ends (moved into the past rather than waiting a day): the old secret is refused.
    await ownerDb()
      .update(webhookEndpoints)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(webhookEndpoints.agentId, hook.agentId));
    const expired = await deliver(app, hook.path, '{"n":3}', { secret: hook.secret });
    expect([expired.statusCode, expired.json().error.code]).toEqual([401, 'WEBHOOK_SIGNATURE_INVALID']);
    expect((await deliver(app, hook.path, '{"n":4}', { secret })).statusCode).toBe(202);
    const view = (await call(owner, 'GET', `/api/v1/agents/${hook.agentId}/webhook`)).json();
    expect(view.previous_secret_expires_at).toBeNull();

    // overlap_seconds 0: the replaced secret stops at once.
    const immediate = (
      await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, { overlap_seconds: 0 })
    ).json();
    expect(immediate.previous_secret_expires_at).toBeNull();
    const stopped = await deliver(app, hook.path, '{"n":5}', { secret });
    expect(stopped.statusCode).toBe(401);
    const latest = await deliver(app, hook.path, '{"n":6}', { secret: immediate.secret });
    expect(latest.statusCode).toBe(202);
    await waitForStatus(app, owner, latest.json().execution_id, ['completed']);
  });

  it('token mode honours the rotation overlap too', async () => {
    const hook = await createHookAgent(app, owner);
    await patch(owner, hook.agentId, { mode: 'token' });
    const rotated = (
      await call(owner, 'POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, { overlap_seconds: 3600 })
    ).json();
    for (const token of [hook.secret, rotated.secret]) {
      const res = await deliver(app, hook.path, '{}', { headers: { 'x-agentflow-webhook-token': token } });
      expect(res.statusCode, res.body).toBe(202);
    }
    await ownerDb()
      .update(webhookEndpoints)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(webhookEndpoints.agentId, hook.agentId));
    const old = await deliver(app, hook.path, '{}', {
      headers: { 'x-agentflow-webhook-token': hook.secret },
    });
    expect([old.statusCode, old.json().error.code]).toEqual([401, 'WEBHOOK_TOKEN_INVALID']);
  });

  it('switching mode and turning it off are audited with what changed', async () => {
    const hook = await createHookAgent(app, owner);
    const res = await patch(owner, hook.agentId, { mode: 'token', is_active: false });
    expect(res.json()).toMatchObject({ mode: 'token', is_active: false });
    await expectAudit(ownerDb(), {
      orgId: owner.orgId,
      action: 'webhook.updated',
      resourceId: res.json().id,
      actor: owner,
      details: { changes: { mode: { from: 'signed', to: 'token' }, is_active: { from: true, to: false } } },
    });
    // The same values again change nothing and write no second row.
    await patch(owner, hook.agentId, { mode: 'token' });
    const rows = await ownerDb()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'webhook.updated'), eq(auditLogs.resourceId, res.json().id)));
    expect(rows).toHaveLength(1);
  });
});

describe('data-key rotation', () => {
  it('re-seals the current and previous webhook secrets; both keep verifying', async () => {
    const org = await createOrgWithOwner(app);
    const hook = await createHookAgent(app, org);
    const rotated = (
      await call(org, 'POST', `/api/v1/agents/${hook.agentId}/webhook/rotate`, { overlap_seconds: 3600 })
    ).json();
    const result = await rotateOrgKey({ db: app.authDeps.db, orgId: org.orgId, keyring: app.keyring });
    expect(result.resealed.webhookEndpoints).toBe(1);
    expect(result.failed).toEqual([]);
    const row = await endpointRow(hook.agentId);
    expect(row!.secretEncrypted).toMatch(/^v1\.2\./);
    expect(row!.previousSecretEncrypted).toMatch(/^v1\.2\./);
    expect(row!.dataKeyVersion).toBe(2);
    for (const secret of [hook.secret, rotated.secret]) {
      const res = await deliver(app, hook.path, '{}', { secret });
      expect(res.statusCode, res.body).toBe(202);
    }
    expect((await call(org, 'POST', `/api/v1/agents/${hook.agentId}/webhook/secret`)).json().secret).toBe(
      rotated.secret,
    );
  });
});
