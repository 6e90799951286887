import { APP_ROLE } from '@agentflow/db';
import { executionApprovals, executions } from '@agentflow/db/schema';
import { InlineQueueDriver, MemoryEventBus } from '@agentflow/queue';
import { startExecution, sweepApprovalTimeouts, sweepExpiredLeases } from '@agentflow/services';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { addMember, createOrgWithOwner, expectAudit, type TestMember } from '../org/test-fixtures';
import {
  activeAgent,
  approvalDefinition,
  executionsClient,
  loopApprovalDefinition,
  slowDefinition,
} from './runtime-fixtures';

const shared = sharedTestDatabase();
let app: App;
const queue = new InlineQueueDriver();
const events = new MemoryEventBus();
const x = executionsClient(() => app);
let owner: TestMember;

beforeAll(async () => {
  await shared.setup();
  ({ app } = await createTestApp({ database: shared.get().connectAs(APP_ROLE), queue, events }));
  owner = await createOrgWithOwner(app);
});
afterAll(async () => {
  await app?.close();
  await queue.close({ timeoutMs: 1000 });
  await events.close();
  await shared.teardown();
});

describe('cancel and timeout (embedded mode: the API runs executions)', () => {
  it('stops a running execution within a second and records it cancelled', async () => {
    const agentId = await activeAgent(app, owner, slowDefinition(30));
    const id = await x.start(owner, agentId);
    await x.waitForStep(owner, id, 'wait');
    const asked = Date.now();
    const res = await x.call(owner, 'POST', `/api/v1/executions/${id}/cancel`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ execution_id: id, status: 'running', cancel_requested: true });
    const done = await x.waitFor(owner, id, ['cancelled', 'failed', 'completed'], 5_000);
    expect(done.status).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(done.error).toBeNull();

    const steps = await x.steps(owner, id);
    expect(steps.map((s) => [s.node_key, s.status])).toEqual([
      ['trigger', 'completed'],
      ['first', 'completed'],
      ['wait', 'failed'],
    ]);
    const types = (await x.events(owner, id)).map((e) => e.type);
    expect(types.at(-1)).toBe('execution.cancelled');
    expect(types.filter((t) => t.startsWith('execution.') && t !== 'execution.started')).toEqual([
      'execution.cancelled',
    ]);
    await expectAudit(shared.get().db, {
      orgId: owner.orgId,
      action: 'execution.cancelled',
      resourceId: id,
      actor: owner,
    });

    // Cancelling again is a no-op; a finished execution cannot be cancelled.
    const again = await x.call(owner, 'POST', `/api/v1/executions/${id}/cancel`);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: 'cancelled', cancel_requested: false });
  });

  it('refuses to cancel a finished execution, and a viewer', async () => {
    const agentId = await activeAgent(app, owner, approvalDefinition());
    const id = await x.start(owner, agentId, { what: 'v2' });
    await x.waitFor(owner, id, ['waiting_approval']);
    const viewer = await addMember(app, owner.orgId, 'viewer');
    const denied = await x.call(viewer, 'POST', `/api/v1/executions/${id}/cancel`);
    expect(denied.statusCode).toBe(403);
    await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'approve' });
    await x.waitFor(owner, id, ['completed']);
    const res = await x.call(owner, 'POST', `/api/v1/executions/${id}/cancel`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'EXECUTION_NOT_CANCELLABLE',
      details: { status: 'completed' },
    });
  });

  it('ends an overlong run as failed with EXECUTION_TIMEOUT', async () => {
    const agentId = await activeAgent(app, owner, slowDefinition(10), { timeout_seconds: 1 });
    const id = await x.start(owner, agentId);
    const started = Date.now();
    const done = await x.waitFor(owner, id, ['failed', 'completed'], 8_000);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'EXECUTION_TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(4_000);
    const failed = (await x.steps(owner, id)).find((s) => s.node_key === 'wait');
    expect(failed?.status).toBe('failed');
    expect((await x.events(owner, id)).at(-1)).toMatchObject({
      type: 'execution.failed',
      payload: { error: { code: 'EXECUTION_TIMEOUT' } },
    });
  });
});

describe('human approval (embedded mode)', () => {
  it('waits, shows up in the inbox, resumes on approve with the decision in the steps, audited', async () => {
    const agentId = await activeAgent(app, owner, approvalDefinition());
    const id = await x.start(owner, agentId, { what: 'v1' });
    const waiting = await x.waitFor(owner, id, ['waiting_approval']);
    expect(waiting.status).toBe('waiting_approval');

    const inbox = await x.call(owner, 'GET', `/api/v1/approvals?execution_id=${id}`);
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json().data).toEqual([
      expect.objectContaining({
        execution_id: id,
        agent_id: agentId,
        node_id: 'review',
        message: 'Ship v1?',
        status: 'pending',
        on_timeout: 'reject',
        iteration: 1,
      }),
    ]);

    // A viewer is not an approver of this node: not in their inbox, and refused.
    const viewer = await addMember(app, owner.orgId, 'viewer');
    expect((await x.call(viewer, 'GET', `/api/v1/approvals?execution_id=${id}`)).json().data).toEqual([]);
    const refused = await x.call(viewer, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'approve' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('APPROVAL_NOT_ALLOWED');

    const bad = await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'maybe' });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json().error.details)).toContain('decision');

    const decided = await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, {
      decision: 'approve',
      comment: 'looks good',
    });
    expect(decided.statusCode, decided.body).toBe(202);
    expect(decided.json()).toMatchObject({
      execution_id: id,
      approval: { status: 'approved', comment: 'looks good' },
    });

    const done = await x.waitFor(owner, id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ shipped: true });
    const steps = await x.steps(owner, id);
    expect(steps.map((s) => [s.node_key, s.status])).toEqual([
      ['trigger', 'completed'],
      ['review', 'completed'],
      ['yes', 'completed'],
    ]);
    expect(steps[1]?.output).toMatchObject({ decision: 'approved', comment: 'looks good', by: owner.userId });
    await expectAudit(shared.get().db, {
      orgId: owner.orgId,
      action: 'execution.approved',
      resourceId: id,
      actor: owner,
      details: { node_id: 'review', comment: 'looks good' },
    });
    const types = (await x.events(owner, id)).map((e) => e.type).filter((t) => t !== 'log');
    expect(types).toEqual([
      'execution.started',
      'step.started',
      'step.completed',
      'step.started',
      'step.waiting_approval',
      'execution.waiting_approval',
      'execution.resumed',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'execution.completed',
    ]);

    const twice = await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'reject' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('EXECUTION_NOT_WAITING_APPROVAL');
  });

  it('takes the rejected branch on reject', async () => {
    const agentId = await activeAgent(app, owner, approvalDefinition());
    const id = await x.start(owner, agentId, { what: 'v3' });
    await x.waitFor(owner, id, ['waiting_approval']);
    const editor = await addMember(app, owner.orgId, 'editor');
    expect(
      (await x.call(editor, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'reject' })).statusCode,
    ).toBe(202);
    const done = await x.waitFor(owner, id, ['completed', 'failed']);
    expect(done.output).toEqual({ shipped: false });
  });

  it('lets a named approver decide even as a viewer', async () => {
    const viewer = await addMember(app, owner.orgId, 'viewer');
    const agentId = await activeAgent(
      app,
      owner,
      approvalDefinition({ approvers: { user_ids: [viewer.userId] } }),
    );
    const id = await x.start(owner, agentId, { what: 'v4' });
    await x.waitFor(owner, id, ['waiting_approval']);
    const inbox = (await x.call(viewer, 'GET', '/api/v1/approvals')).json().data;
    expect(inbox.map((a: { execution_id: string }) => a.execution_id)).toContain(id);
    const res = await x.call(viewer, 'POST', `/api/v1/executions/${id}/approve`, { decision: 'approve' });
    expect(res.statusCode, res.body).toBe(202);
    expect((await x.waitFor(owner, id, ['completed'])).output).toEqual({ shipped: true });
  });

  it('pauses once per item inside a loop', async () => {
    const agentId = await activeAgent(app, owner, loopApprovalDefinition());
    const id = await x.start(owner, agentId, { items: ['a', 'b'] });
    for (const [item, decision] of [
      ['a', 'approve'],
      ['b', 'reject'],
    ] as const) {
      await x.waitFor(owner, id, ['waiting_approval']);
      const [pending] = (await x.call(owner, 'GET', `/api/v1/approvals?execution_id=${id}`)).json().data;
      expect(pending).toMatchObject({ message: `Publish ${item}?` });
      const res = await x.call(owner, 'POST', `/api/v1/executions/${id}/approve`, { decision });
      expect(res.statusCode, res.body).toBe(202);
      await x.waitFor(
        owner,
        id,
        ['running', 'waiting_approval', 'completed'].filter((s) => s !== 'pending'),
      );
    }
    const done = await x.waitFor(owner, id, ['completed', 'failed']);
    expect(done.output).toMatchObject({ count: 2, results: [{ approved: true }, { approved: false }] });
    const rows = await shared
      .get()
      .db.select()
      .from(executionApprovals)
      .where(eq(executionApprovals.executionId, id));
    expect(rows.map((r) => [r.iteration, r.status]).sort()).toEqual([
      [1, 'approved'],
      [2, 'rejected'],
    ]);
  });

  it('applies the timeout action when nobody decides', async () => {
    const agentId = await activeAgent(
      app,
      owner,
      approvalDefinition({ on_timeout: 'approve', timeout_seconds: 60 }),
    );
    const id = await x.start(owner, agentId, { what: 'v5' });
    await x.waitFor(owner, id, ['waiting_approval']);
    // Not due yet: the sweep leaves it alone.
    expect(await sweepApprovalTimeouts(shared.get().connectAs(APP_ROLE).db, { queue, events })).toBe(0);
    await shared
      .get()
      .db.update(executionApprovals)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(executionApprovals.executionId, id));
    expect(await sweepApprovalTimeouts(shared.get().connectAs(APP_ROLE).db, { queue, events })).toBe(1);
    const done = await x.waitFor(owner, id, ['completed', 'failed']);
    expect(done.output).toEqual({ shipped: true });
    const review = (await x.steps(owner, id)).find((s) => s.node_key === 'review');
    expect(review?.output).toMatchObject({ approved: true, timed_out: true });
  });

  it('cancels a waiting execution at once and closes its approval', async () => {
    const agentId = await activeAgent(app, owner, approvalDefinition());
    const id = await x.start(owner, agentId, { what: 'v6' });
    await x.waitFor(owner, id, ['waiting_approval']);
    const res = await x.call(owner, 'POST', `/api/v1/executions/${id}/cancel`);
    expect(res.json()).toEqual({ execution_id: id, status: 'cancelled', cancel_requested: false });
    expect((await x.get(owner, id)).status).toBe('cancelled');
    expect((await x.call(owner, 'GET', `/api/v1/approvals?execution_id=${id}`)).json().data).toEqual([]);
    expect((await x.events(owner, id)).at(-1)?.type).toBe('execution.cancelled');
  });
});

describe('recovery (embedded mode)', () => {
  it('a restarted API re-enqueues the pending executions its in-memory queue lost', async () => {
    const agentId = await activeAgent(app, owner, slowDefinition(0));
    // Queued on a queue nobody consumes, which then goes away: the job is lost, the row is pending.
    const lost = new InlineQueueDriver();
    const ctx = {
      db: shared.get().connectAs(APP_ROLE).db,
      orgId: owner.orgId,
      actor: { type: 'user' as const, userId: owner.userId },
    };
    const { execution_id: id } = await startExecution(
      ctx,
      { agentId, triggerData: {}, triggeredBy: 'api' },
      { queue: lost },
    );
    await lost.close({ timeoutMs: 0 });
    expect((await x.get(owner, id)).status).toBe('pending');

    const restarted = await createTestApp({ database: shared.get().connectAs(APP_ROLE) });
    try {
      const done = await x.waitFor(owner, id, ['completed', 'failed']);
      expect(done.status).toBe('completed');
    } finally {
      await restarted.app.close();
    }
  });

  it('fails a run whose worker was lost more often than the limit with WORKER_LOST', async () => {
    const agentId = await activeAgent(app, owner, approvalDefinition());
    const id = await x.start(owner, agentId, { what: 'v7' });
    await x.waitFor(owner, id, ['waiting_approval']);
    // As if a worker had claimed it and died, after three earlier takeovers.
    await shared
      .get()
      .db.update(executions)
      .set({
        status: 'running',
        leaseOwner: 'dead-worker',
        leaseExpiresAt: sql`now() - interval '1 second'`,
        metadata: { recoveries: 3 },
      })
      .where(eq(executions.id, id));
    const db = shared.get().connectAs(APP_ROLE).db;
    // This sweep, or the app's own reaper tick if it came first, takes it (never both).
    const swept = await sweepExpiredLeases({ db, queue, events, maxRecoveries: 3 });
    expect(swept.resumed + swept.cancelled).toBe(0);
    expect(await x.get(owner, id)).toMatchObject({ status: 'failed', error: { code: 'WORKER_LOST' } });
    expect((await x.events(owner, id)).at(-1)).toMatchObject({
      type: 'execution.failed',
      payload: { error: { code: 'WORKER_LOST' } },
    });
    // A second reaper finds nothing left to take.
    expect(await sweepExpiredLeases({ db, queue, events, maxRecoveries: 3 })).toEqual({
      resumed: 0,
      failed: 0,
      cancelled: 0,
    });
  });
});
