import { APP_ROLE } from '@agentflow/db';
import { agentEdges, agentNodes, agentVersions } from '@agentflow/db/schema';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { createOrgWithOwner, expectAudit } from '../org/test-fixtures';
import { caller, createAgentAs, ifElseDefinition, invalidDefinition } from './test-fixtures';

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

describe('publishing', () => {
  it('refuses an invalid definition with the problems listing node ids', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { definition: invalidDefinition() });
    const res = await call(admin, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' });
    expect(res.statusCode).toBe(422);
    const error = res.json().error;
    expect(error.code).toBe('VALIDATION_ERROR');
    const nodeIds = (error.details.problems as Array<{ node_id?: string }>).map((p) => p.node_id);
    expect(nodeIds).toContain('bad');
    expect(nodeIds).toContain('island');
    expect((await call(admin, 'GET', `/api/v1/agents/${agent.id}`)).json().latest_version).toBe(0);
  });

  it('publishes versions 1 and 2 with nodes and edges materialized; diff; rollback; archive keeps them', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const base = `/api/v1/agents/${agent.id}`;

    const v1 = await call(admin, 'POST', `${base}/publish`, { change_message: 'first' });
    expect(v1.statusCode).toBe(201);
    expect(v1.json()).toMatchObject({
      version: 1,
      change_message: 'first',
      is_published: true,
      node_count: 3,
    });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.published',
      resourceId: agent.id,
      actor: admin,
      details: { version: 1 },
    });

    // Publishing a given definition also saves it as the draft.
    const v2 = await call(admin, 'POST', `${base}/publish`, {
      change_message: 'branch',
      definition: ifElseDefinition(),
    });
    expect(v2.statusCode).toBe(201);
    expect(v2.json()).toMatchObject({ version: 2, node_count: 4, edge_count: 3 });
    const detail = (await call(admin, 'GET', base)).json();
    expect(detail).toMatchObject({
      latest_version: 2,
      published_version: { version: 2 },
      definition: ifElseDefinition(),
    });

    const nodes = await owner()
      .select()
      .from(agentNodes)
      .where(eq(agentNodes.agentVersionId, v2.json().id))
      .orderBy(asc(agentNodes.nodeKey));
    expect(nodes.map((n) => [n.nodeKey, n.nodeType, n.nodeSubtype])).toEqual([
      ['big', 'transform', 'set'],
      ['check', 'logic', 'if_else'],
      ['small', 'transform', 'set'],
      ['trigger', 'trigger', 'manual'],
    ]);
    const edges = await owner().select().from(agentEdges).where(eq(agentEdges.agentVersionId, v2.json().id));
    const keyOf = new Map(nodes.map((n) => [n.id, n.nodeKey]));
    expect(
      edges.map((e) => `${keyOf.get(e.sourceNodeId)}->${keyOf.get(e.targetNodeId)}:${e.sourceHandle}`).sort(),
    ).toEqual(['check->big:true', 'check->small:false', 'trigger->check:null']);
    const flags = await owner().select().from(agentVersions).where(eq(agentVersions.agentId, agent.id));
    expect(flags.filter((v) => v.isPublished).map((v) => v.version)).toEqual([2]);

    const diff = await call(admin, 'GET', `${base}/versions/diff?from=1&to=2`);
    expect(diff.statusCode).toBe(200);
    const d = diff.json();
    expect(d.nodes.added.map((n: { id: string }) => n.id).sort()).toEqual(['big', 'check', 'small']);
    expect(d.nodes.removed.map((n: { id: string }) => n.id).sort()).toEqual(['reply', 'respond']);
    expect(d.nodes.changed).toEqual([expect.objectContaining({ id: 'trigger', fields: ['config'] })]);
    expect(d.edges.removed).toHaveLength(2);
    expect(d.edges.added).toHaveLength(3);
    const latestDiff = (await call(admin, 'GET', `${base}/versions/diff`)).json();
    expect(latestDiff).toMatchObject({ from: 1, to: 2 });
    expect((await call(admin, 'GET', `${base}/versions/diff?from=1&to=9`)).json().error.code).toBe(
      'AGENT_VERSION_NOT_FOUND',
    );

    const rollback = await call(admin, 'POST', `${base}/rollback`, { version: 1 });
    expect(rollback.statusCode).toBe(201);
    expect(rollback.json()).toMatchObject({ version: 3, change_message: 'Rollback to version 1' });
    await expectAudit(owner(), {
      orgId: admin.orgId,
      action: 'agent.rolled_back',
      resourceId: agent.id,
      actor: admin,
      details: { to_version: 1, version: 3 },
    });
    const one = (await call(admin, 'GET', `${base}/versions/1`)).json();
    const three = (await call(admin, 'GET', `${base}/versions/3`)).json();
    expect(three.definition).toEqual(one.definition);
    expect((await call(admin, 'GET', `${base}/versions/7`)).json().error.code).toBe(
      'AGENT_VERSION_NOT_FOUND',
    );

    const page1 = (await call(admin, 'GET', `${base}/versions?limit=2`)).json();
    expect(page1.data.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const page2 = (await call(admin, 'GET', `${base}/versions?limit=2&cursor=${page1.next_cursor}`)).json();
    expect(page2).toMatchObject({ next_cursor: null, data: [{ version: 1, is_published: false }] });

    expect((await call(admin, 'DELETE', base)).statusCode).toBe(204);
    const kept = (await call(admin, 'GET', `${base}/versions`)).json();
    expect(kept.data).toHaveLength(3);
  });

  it('concurrent publishes get distinct consecutive versions', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        call(admin, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: `c${i}` }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(results.map((r) => r.json().version).sort()).toEqual([1, 2, 3, 4]);
    const detail = (await call(admin, 'GET', `/api/v1/agents/${agent.id}`)).json();
    expect(detail).toMatchObject({ latest_version: 4, published_version: { version: 4 } });
  });
});
