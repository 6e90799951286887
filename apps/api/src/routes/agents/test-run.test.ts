import { APP_ROLE } from '@agentflow/db';
import { auditLogs, executions } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { createOrgWithOwner } from '../org/test-fixtures';
import { caller, createAgentAs, humanDefinition, ifElseDefinition, invalidDefinition } from './test-fixtures';

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

describe('dry run', () => {
  it('runs the starter offline and returns every step; nothing is stored', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const res = await call(admin, 'POST', `/api/v1/agents/${agent.id}/test`, {
      trigger_data: { message: 'hi there' },
    });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ status: 'completed', test: true, error: null, total_cost: 0 });
    expect(run.steps.map((s: { node_id: string }) => s.node_id)).toEqual(['trigger', 'reply', 'respond']);
    for (const step of run.steps) {
      expect(step).toMatchObject({ status: 'completed', error: null });
      expect(step.duration_ms).toBeGreaterThanOrEqual(0);
      expect(step).toHaveProperty('input');
      expect(step).toHaveProperty('output');
    }
    const reply = run.steps[1];
    expect(reply).toMatchObject({ label: 'Reply (echo model)', type: 'ai', subtype: 'chat' });
    expect(reply.input.user_prompt).toBe('hi there');
    expect(JSON.stringify(reply.output)).toContain('hi there');
    expect(JSON.stringify(run.output)).toContain('hi there');
    expect(run.total_tokens).toBe(
      run.steps.reduce(
        (n: number, s: { tokens: { input: number; output: number } | null }) =>
          n + (s.tokens ? s.tokens.input + s.tokens.output : 0),
        0,
      ),
    );

    // Without trigger_data the trigger's sample_data is used.
    const sample = (await call(admin, 'POST', `/api/v1/agents/${agent.id}/test`, {})).json();
    expect(JSON.stringify(sample.output)).toContain('Hello from AgentFlow');

    expect(await owner().select().from(executions).where(eq(executions.agentId, agent.id))).toEqual([]);
    const audit = await owner().select().from(auditLogs).where(eq(auditLogs.resourceId, agent.id));
    expect(audit.map((a) => a.action)).toEqual(['agent.created']);
  });

  it('takes the branch the if/else picks', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { definition: ifElseDefinition() });
    const url = `/api/v1/agents/${agent.id}/test`;
    const big = (await call(admin, 'POST', url, { trigger_data: { amount: 500 } })).json();
    expect(big.steps.map((s: { node_id: string }) => s.node_id)).toEqual(['trigger', 'check', 'big']);
    expect(big.output).toMatchObject({ size: 'big', amount: 500 });
    const small = (await call(admin, 'POST', url, { trigger_data: { amount: 5 } })).json();
    expect(small.steps.map((s: { node_id: string }) => s.node_id)).toEqual(['trigger', 'check', 'small']);
  });

  it('a given definition runs instead of the draft; invalid -> 422; human -> waiting_approval', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { template: 'starter' });
    const url = `/api/v1/agents/${agent.id}/test`;

    const invalid = await call(admin, 'POST', url, { definition: invalidDefinition() });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.details.problems.map((p: { node_id?: string }) => p.node_id)).toContain(
      'bad',
    );

    const human = await call(admin, 'POST', url, { definition: humanDefinition() });
    expect(human.statusCode).toBe(200);
    const run = human.json();
    expect(run).toMatchObject({
      status: 'waiting_approval',
      output: null,
      pending_approval: { kind: 'approval', node_id: 'approve', message: 'Ship it?' },
    });
    expect(run.steps.map((s: { node_id: string; status: string }) => [s.node_id, s.status])).toEqual([
      ['trigger', 'completed'],
      ['approve', 'waiting_approval'],
    ]);
  });

  it('a failing step fails the run with its error', async () => {
    const admin = await createOrgWithOwner(app);
    const agent = await createAgentAs(app, admin, { definition: ifElseDefinition() });
    // No amount: the condition's {{trigger.data.amount}} has no default.
    const run = (await call(admin, 'POST', `/api/v1/agents/${agent.id}/test`, { trigger_data: {} })).json();
    expect(run.status).toBe('failed');
    expect(run.error.code).toBe('VARIABLE_MISSING');
    expect(run.steps.at(-1)).toMatchObject({
      node_id: 'check',
      status: 'failed',
      error: { code: 'VARIABLE_MISSING' },
    });
  });
});
