import { APP_ROLE } from '@agentflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createApiKey } from '../../test-support/auth';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit } from '../org/test-fixtures';
import { caller, createAgentAs, invalidDefinition } from './test-fixtures';

const shared = sharedTestDatabase();
let app: App;
const owner = () => shared.get().db;
const call = caller(() => app);

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

describe('agents CRUD', () => {
  it('creates with defaults, reads, updates metadata, each audited', async () => {
    const admin = await createOrgWithOwner(app);
    const created = await call(admin, 'POST', '/api/v1/agents', { name: 'Lead Router', template: 'starter' });
    expect(created.statusCode).toBe(201);
    const agent = created.json();
    expect(agent).toMatchObject({
      name: 'Lead Router',
      status: 'draft',
      trigger_type: 'manual',
      settings: { timeout_seconds: 300, max_retries: 0, concurrency_limit: 5 },
      latest_version: 0,
      published_version: null,
      problems: [],
      created_by: admin.userId,
    });
    expect(agent.definition.nodes.map((n: { id: string }) => n.id)).toEqual(['trigger', 'reply', 'respond']);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.created',
      resourceId: agent.id,
      actor: admin,
    });

    const blank = (await call(admin, 'POST', '/api/v1/agents', { name: 'Blank' })).json();
    expect(blank.definition.nodes).toHaveLength(1);

    const badSettings = await call(admin, 'POST', '/api/v1/agents', {
      name: 'x',
      settings: { timeout_seconds: 0 },
    });
    expect(badSettings.statusCode).toBe(422);
    expect(badSettings.json().error.details.fields[0].path).toBe('body.settings.timeout_seconds');

    const updated = await call(admin, 'PUT', `/api/v1/agents/${agent.id}`, {
      description: 'Routes leads',
      settings: { concurrency_limit: 2 },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      description: 'Routes leads',
      settings: { timeout_seconds: 300, concurrency_limit: 2 },
    });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.updated',
      resourceId: agent.id,
      actor: admin,
      details: { fields: ['description', 'settings'] },
    });

    const read = await call(admin, 'GET', `/api/v1/agents/${agent.id}`);
    expect(read.json()).toMatchObject({ id: agent.id, description: 'Routes leads', problems: [] });

    const missing = await call(admin, 'GET', '/api/v1/agents/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('AGENT_NOT_FOUND');
  });

  it('the draft saves invalid definitions and returns the problems with node ids', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin);
    const saved = await call(admin, 'PUT', `/api/v1/agents/${agent.id}`, { definition: invalidDefinition() });
    expect(saved.statusCode).toBe(200);
    const problems = saved.json().problems as Array<{ code: string; node_id?: string; edge_id?: string }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'unknown_node_subtype', node_id: 'bad' }),
        expect.objectContaining({ code: 'edge_target_missing', edge_id: 'e2' }),
      ]),
    );
    const read = (await call(admin, 'GET', `/api/v1/agents/${agent.id}`)).json();
    expect(read.definition).toEqual(invalidDefinition());
    expect(read.problems.length).toBe(problems.length);
  });

  it('lists with filters and three cursor pages; archive hides and keeps the agent', async () => {
    const admin = await createOrgWithOwner(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await createAgentAs(app, admin, {
        name: `Bot ${i}`,
        description: i === 3 ? 'Handles REFUNDS_50%' : null,
        trigger_type: i % 2 ? 'webhook' : 'manual',
      });
      ids.push(a.id);
    }
    const seen: string[] = [];
    let url = '/api/v1/agents?limit=2';
    const sizes: number[] = [];
    for (;;) {
      const page = (await call(admin, 'GET', url)).json();
      sizes.push(page.data.length);
      seen.push(...page.data.map((a: { id: string }) => a.id));
      if (!page.next_cursor) break;
      url = `/api/v1/agents?limit=2&cursor=${page.next_cursor}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...ids].reverse());

    const webhooks = (await call(admin, 'GET', '/api/v1/agents?trigger_type=webhook')).json();
    expect(webhooks.data.map((a: { name: string }) => a.name).sort()).toEqual(['Bot 1', 'Bot 3']);
    const search = (await call(admin, 'GET', '/api/v1/agents?search=refunds_50%25')).json();
    expect(search.data.map((a: { name: string }) => a.name)).toEqual(['Bot 3']);
    const byName = (await call(admin, 'GET', '/api/v1/agents?search=bot%204')).json();
    expect(byName.data.map((a: { name: string }) => a.name)).toEqual(['Bot 4']);
    const bad = await call(admin, 'GET', '/api/v1/agents?cursor=nope');
    expect(bad.statusCode).toBe(422);

    const del = await call(admin, 'DELETE', `/api/v1/agents/${ids[0]}`);
    expect(del.statusCode).toBe(204);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.archived',
      resourceId: ids[0]!,
      actor: admin,
    });
    const listed = (await call(admin, 'GET', '/api/v1/agents')).json();
    expect(listed.data.map((a: { id: string }) => a.id)).not.toContain(ids[0]);
    const archived = (await call(admin, 'GET', '/api/v1/agents?status=archived')).json();
    expect(archived.data.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
    const stillThere = await call(admin, 'GET', `/api/v1/agents/${ids[0]}`);
    expect(stillThere.json().status).toBe('archived');
    const edit = await call(admin, 'PUT', `/api/v1/agents/${ids[0]}`, { name: 'nope' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('AGENT_ARCHIVED');
  });

  it('status: active needs a published version; pause and resume are audited', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const early = await call(admin, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('AGENT_NOT_PUBLISHED');

    await call(admin, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
    const active = await call(admin, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
    expect(active.statusCode).toBe(200);
    expect(active.json()).toMatchObject({ status: 'active', published_version: { version: 1 } });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.status_changed',
      resourceId: agent.id,
      actor: admin,
      details: { from: 'draft', to: 'active' },
    });
    const paused = await call(admin, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'paused' });
    expect(paused.json().status).toBe('paused');
    const invalid = await call(admin, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'archived' });
    expect(invalid.statusCode).toBe(422);
  });

  it('clone copies metadata and draft, not versions', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, {
      name: 'Source',
      template: 'starter',
      trigger_type: 'api',
    });
    await call(admin, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
    const cloned = await call(admin, 'POST', `/api/v1/agents/${agent.id}/clone`);
    expect(cloned.statusCode).toBe(201);
    const copy = cloned.json();
    expect(copy).toMatchObject({
      name: 'Source (copy)',
      trigger_type: 'api',
      status: 'draft',
      latest_version: 0,
      published_version: null,
      definition: agent.definition,
    });
    expect(copy.id).not.toBe(agent.id);
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.cloned',
      resourceId: copy.id,
      actor: admin,
      details: { source_agent_id: agent.id },
    });
    const named = await call(admin, 'POST', `/api/v1/agents/${agent.id}/clone`, { name: 'Other' });
    expect(named.json().name).toBe('Other');
  });
});

describe('agent permissions', () => {
  it('viewers read but get 403 on every mutation; API keys need the right scope', async () => {
    const admin = await createOrgWithOwner(app);
    const viewer = await addMember(app, admin.orgId, 'viewer');
    const editor = await addMember(app, admin.orgId, 'editor');
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const base = `/api/v1/agents/${agent.id}`;

    expect((await call(viewer, 'GET', '/api/v1/agents')).statusCode).toBe(200);
    expect((await call(viewer, 'GET', base)).statusCode).toBe(200);
    expect((await call(viewer, 'GET', `${base}/versions`)).statusCode).toBe(200);
    const mutations: Array<['POST' | 'PUT' | 'DELETE', string, unknown]> = [
      ['POST', '/api/v1/agents', { name: 'x' }],
      ['PUT', base, { name: 'x' }],
      ['DELETE', base, undefined],
      ['PUT', `${base}/status`, { status: 'paused' }],
      ['POST', `${base}/clone`, {}],
      ['POST', `${base}/publish`, { change_message: 'x' }],
      ['POST', `${base}/rollback`, { version: 1 }],
      ['POST', `${base}/test`, {}],
    ];
    for (const [method, url, body] of mutations) {
      const res = await call(viewer, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    // Editors may do everything but archive (agents:delete is owner/admin).
    expect((await call(editor, 'DELETE', base)).statusCode).toBe(403);
    expect((await call(editor, 'PUT', base, { name: 'ok' })).statusCode).toBe(200);

    const reader = await createApiKey(app, admin.orgId, ['agents:read']);
    expect((await call(reader, 'GET', '/api/v1/agents')).statusCode).toBe(200);
    expect((await call(reader, 'POST', '/api/v1/agents', { name: 'x' })).statusCode).toBe(403);
    const writer = await createApiKey(app, admin.orgId, ['agents:read', 'agents:write']);
    const byKey = await call(writer, 'POST', '/api/v1/agents', { name: 'By key' });
    expect(byKey.statusCode).toBe(201);
    expect(byKey.json().created_by).toBeNull();
    // Dry runs execute: they need executions:write, not agents:write.
    expect((await call(writer, 'POST', `${base}/test`, {})).statusCode).toBe(403);
    const executor = await createApiKey(app, admin.orgId, ['executions:write']);
    expect((await call(executor, 'POST', `${base}/test`, {})).statusCode).toBe(200);
  });
});
