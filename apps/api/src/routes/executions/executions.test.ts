import { planLimits } from '@agentflow/contracts';
import { APP_ROLE } from '@agentflow/db';
import { executionEvents, executions, graphCheckpoints, organizations } from '@agentflow/db/schema';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { caller, createAgentAs } from '../agents/test-fixtures';
import { addMember, createOrgWithOwner, type TestMember } from '../org/test-fixtures';
import { activeAgent, slowDefinition } from './runtime-fixtures';

const shared = sharedTestDatabase();
let app: App;
const call = caller(() => app);

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE) }));
});
afterAll(async () => {
  await app?.close();
  await shared.teardown();
});

async function activeStarter(who: TestMember, settings: Record<string, unknown> = {}): Promise<string> {
  const agent = await createAgentAs(app, who, { template: 'starter', settings });
  expect(
    (await call(who, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' })).statusCode,
  ).toBe(201);
  expect((await call(who, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' })).statusCode).toBe(
    200,
  );
  return agent.id;
}

async function waitForStatus(who: TestMember, id: string, statuses: string[], ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call(who, 'GET', `/api/v1/executions/${id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`execution ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('executions (inline queue: no REDIS_URL)', () => {
  it('runs a published, active agent: 202, completed, steps, logs and gap-free events', async () => {
    const owner = await createOrgWithOwner(app);
    const agentId = await activeStarter(owner);
    const res = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {
      trigger_data: { message: 'hello there' },
    });
    expect(res.statusCode).toBe(202);
    const { execution_id: id, status } = res.json();
    expect(status).toBe('pending');

    const execution = await waitForStatus(owner, id, ['completed', 'failed']);
    expect(execution).toMatchObject({
      id,
      agent_id: agentId,
      agent_name: expect.stringMatching(/^Agent /),
      agent_version: 1,
      status: 'completed',
      triggered_by: 'manual',
      triggered_by_user_id: owner.userId,
      trigger_data: { message: 'hello there' },
      error: null,
      attempts: 1,
    });
    expect(JSON.stringify(execution.output)).toContain('hello there');
    expect(execution.completed_at).not.toBeNull();

    const steps = (await call(owner, 'GET', `/api/v1/executions/${id}/steps`)).json().data;
    expect(steps.map((s: { node_key: string }) => s.node_key)).toEqual(['trigger', 'reply', 'respond']);
    for (const step of steps) {
      expect(step.status).toBe('completed');
      expect(step.duration_ms).toBeGreaterThanOrEqual(0);
    }
    expect(steps.map((s: { step_order: number }) => s.step_order)).toEqual([1, 2, 3]);
    expect(JSON.stringify(steps[1].output)).toContain('hello there');
    expect(execution.total_tokens).toBe(
      steps.reduce((sum: number, s: { tokens_used: number }) => sum + s.tokens_used, 0),
    );

    const logs = (await call(owner, 'GET', `/api/v1/executions/${id}/logs`)).json().data;
    expect(logs[0].message).toMatch(/^Execution started/);
    expect(logs.at(-1).message).toBe('Execution completed');

    const events = (await call(owner, 'GET', `/api/v1/executions/${id}/events`)).json().data;
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    const types = events
      .map((e: { type: string }) => e.type)
      .filter((t: string) => t !== 'log' && t !== 'llm.token');
    // The AI step's streamed text is stored too (coalesced chunks), between its start and end.
    type Ev = { type: string; payload: Record<string, unknown> };
    const tokens = (events as Ev[]).filter((e) => e.type === 'llm.token');
    expect(tokens.length).toBeGreaterThan(0);
    const aiDone = (events as Ev[]).find(
      (e) => e.type === 'step.completed' && e.payload.node_id === tokens[0]!.payload.node_id,
    );
    expect(tokens.map((e) => e.payload.token).join('')).toBe(
      (aiDone!.payload.output as { text: string }).text,
    );
    expect(types).toEqual([
      'execution.started',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'execution.completed',
    ]);
    // The announce is not a transaction of its own: execution.started commits with the run's first
    // checkpoint (rows of one transaction share its now()).
    const [first] = await shared
      .get()
      .db.select({ at: graphCheckpoints.createdAt })
      .from(graphCheckpoints)
      .where(eq(graphCheckpoints.executionId, id))
      .orderBy(asc(graphCheckpoints.checkpointId))
      .limit(1);
    const [started] = await shared
      .get()
      .db.select({ at: executionEvents.createdAt })
      .from(executionEvents)
      .where(and(eq(executionEvents.executionId, id), eq(executionEvents.seq, 1)));
    expect(started?.at.toISOString()).toBe(first?.at.toISOString());
    const after = (await call(owner, 'GET', `/api/v1/executions/${id}/events?after=3`)).json().data;
    expect(after.map((e: { seq: number }) => e.seq)).toEqual(
      events.slice(3).map((e: { seq: number }) => e.seq),
    );

    const list = (await call(owner, 'GET', `/api/v1/executions?agent_id=${agentId}&status=completed`)).json();
    expect(list.data.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(list.data[0]).toMatchObject({ agent_name: execution.agent_name, agent_version: 1 });
    const none = (await call(owner, 'GET', `/api/v1/executions?agent_id=${agentId}&status=failed`)).json();
    expect(none.data).toEqual([]);
  });

  it('returns the same execution for the same idempotency key', async () => {
    const owner = await createOrgWithOwner(app);
    const agentId = await activeStarter(owner);
    const body = { trigger_data: { message: 'once' }, idempotency_key: 'order-42' };
    const first = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, body);
    const second = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, body);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json().execution_id).toBe(first.json().execution_id);
    await waitForStatus(owner, first.json().execution_id, ['completed']);
    const third = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, body);
    expect(third.json()).toEqual({ execution_id: first.json().execution_id, status: 'completed' });
    const list = (await call(owner, 'GET', `/api/v1/executions?agent_id=${agentId}`)).json();
    expect(list.data).toHaveLength(1);
  });

  it('refuses an unpublished or inactive agent, and a viewer', async () => {
    const owner = await createOrgWithOwner(app);
    const draft = await createAgentAs(app, owner, { template: 'starter' });
    const unpublished = await call(owner, 'POST', `/api/v1/agents/${draft.id}/execute`, {});
    expect(unpublished.statusCode).toBe(409);
    expect(unpublished.json().error.code).toBe('AGENT_NOT_PUBLISHED');

    await call(owner, 'POST', `/api/v1/agents/${draft.id}/publish`, { change_message: 'v1' });
    const inactive = await call(owner, 'POST', `/api/v1/agents/${draft.id}/execute`, {});
    expect(inactive.statusCode).toBe(409);
    expect(inactive.json().error.code).toBe('AGENT_NOT_ACTIVE');

    const viewer = await addMember(app, owner.orgId, 'viewer');
    const forbidden = await call(viewer, 'POST', `/api/v1/agents/${draft.id}/execute`, {});
    expect(forbidden.statusCode).toBe(403);
  });

  it('enforces the agent concurrency_limit over pending + running executions', async () => {
    const owner = await createOrgWithOwner(app);
    const agentId = await activeAgent(app, owner, slowDefinition(30), { concurrency_limit: 1 });
    const first = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {});
    expect(first.statusCode).toBe(202);
    // Pending or already running, it holds the only slot.
    const second = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {});
    expect(second.statusCode).toBe(429);
    expect(second.json().error).toMatchObject({
      code: 'CONCURRENCY_LIMIT_EXCEEDED',
      details: { concurrency_limit: 1, active: 1 },
    });
    // Concurrent starts cannot both take the last slot (the agent row is locked for the check).
    const id = first.json().execution_id;
    await call(owner, 'POST', `/api/v1/executions/${id}/cancel`);
    await waitForStatus(owner, id, ['cancelled']);
    const racing = await Promise.all(
      [1, 2, 3].map(() => call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {})),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([202, 429, 429]);
    const winner = racing.find((r) => r.statusCode === 202)!.json().execution_id;
    await call(owner, 'POST', `/api/v1/executions/${winner}/cancel`);
    await waitForStatus(owner, winner, ['cancelled']);
  });

  it("enforces the org's plan: executions at once and per rolling hour", async () => {
    const owner = await createOrgWithOwner(app);
    const agentId = await activeAgent(app, owner, slowDefinition(0));
    const { max_concurrent_executions: maxActive, executions_per_hour: perHour } = planLimits.starter;
    const fill = (n: number, status: 'pending' | 'completed') =>
      shared
        .get()
        .db.insert(executions)
        .values(Array.from({ length: n }, () => ({ orgId: owner.orgId, agentId, status })));
    await fill(maxActive, 'pending');
    const busy = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {});
    expect(busy.statusCode).toBe(429);
    expect(busy.json().error).toMatchObject({
      code: 'PLAN_LIMIT_EXCEEDED',
      details: { plan: 'starter', limit: 'max_concurrent_executions', max: maxActive },
    });
    await shared
      .get()
      .db.update(executions)
      .set({ status: 'completed' })
      .where(and(eq(executions.orgId, owner.orgId), eq(executions.status, 'pending')));
    await fill(perHour - maxActive, 'completed');
    const hourly = await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {});
    expect(hourly.statusCode).toBe(429);
    expect(hourly.json().error.details).toMatchObject({ limit: 'executions_per_hour', max: perHour });
    // A bigger plan lifts both.
    await shared.get().db.update(organizations).set({ plan: 'pro' }).where(eq(organizations.id, owner.orgId));
    expect((await call(owner, 'POST', `/api/v1/agents/${agentId}/execute`, {})).statusCode).toBe(202);
  });

  it('validates list filters and cursors', async () => {
    const owner = await createOrgWithOwner(app);
    const bad = await call(owner, 'GET', '/api/v1/executions?status=nope');
    expect(bad.statusCode).toBe(422);
    const badCursor = await call(owner, 'GET', '/api/v1/executions?cursor=xyz');
    expect(badCursor.statusCode).toBe(422);
    const missing = await call(owner, 'GET', `/api/v1/executions/${crypto.randomUUID()}/events`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('EXECUTION_NOT_FOUND');
  });
});
