import { expect } from 'vitest';
import type { App } from '../../app';
import { caller, createAgentAs, triggerNode } from '../agents/test-fixtures';
import type { TestMember } from '../org/test-fixtures';

const at = (y: number) => ({ x: 0, y });
const node = (id: string, type: string, subtype: string, config: Record<string, unknown>, y: number) => ({
  id,
  type,
  subtype,
  label: id,
  config,
  position: at(y),
});

/** trigger -> first (set) -> wait (delay) -> second (set) -> done: a run that is busy in `wait`. */
export function slowDefinition(seconds: number) {
  return {
    nodes: [
      triggerNode(),
      node('first', 'transform', 'set', { values: { step: 'first' } }, 100),
      node('wait', 'logic', 'delay', { seconds }, 200),
      node('second', 'transform', 'set', { values: { step: 'second' } }, 300),
      node('done', 'output', 'respond', { body: '{{node_second.output}}' }, 400),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'first' },
      { id: 'e2', source: 'first', target: 'wait' },
      { id: 'e3', source: 'wait', target: 'second' },
      { id: 'e4', source: 'second', target: 'done' },
    ],
  };
}

/** trigger -> review (human) -> approved | rejected (set): the branch taken shows the decision. */
export function approvalDefinition(config: Record<string, unknown> = {}) {
  return {
    nodes: [
      triggerNode(),
      node('review', 'human', 'approval', { message: 'Ship {{trigger.data.what}}?', ...config }, 100),
      node('yes', 'transform', 'set', { values: { shipped: true } }, 200),
      node('no', 'transform', 'set', { values: { shipped: false } }, 200),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'review' },
      { id: 'e2', source: 'review', target: 'yes', source_handle: 'approved' },
      { id: 'e3', source: 'review', target: 'no', source_handle: 'rejected' },
    ],
  };
}

/** trigger -> each (loop over trigger.data.items) -> review (human, once per item). */
export function loopApprovalDefinition() {
  return {
    nodes: [
      triggerNode(),
      node('each', 'logic', 'loop', { items: '{{trigger.data.items}}' }, 100),
      node('review', 'human', 'approval', { message: 'Publish {{loop.item}}?' }, 200),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'each' },
      { id: 'e2', source: 'each', target: 'review', source_handle: 'each' },
    ],
  };
}

/** Creates, publishes and activates an agent with `definition`; returns its id. */
export async function activeAgent(
  app: App,
  who: TestMember,
  definition: unknown,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const call = caller(() => app);
  const agent = await createAgentAs(app, who, { definition, settings });
  const published = await call(who, 'POST', `/api/v1/agents/${agent.id}/publish`, {
    definition,
    change_message: 'v1',
  });
  expect(published.statusCode, published.body).toBe(201);
  const active = await call(who, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' });
  expect(active.statusCode, active.body).toBe(200);
  return agent.id;
}

export function executionsClient(app: () => App) {
  const call = caller(app);
  return {
    call,
    async start(who: TestMember, agentId: string, data: Record<string, unknown> = {}): Promise<string> {
      const res = await call(who, 'POST', `/api/v1/agents/${agentId}/execute`, { trigger_data: data });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().execution_id;
    },
    async get(who: TestMember, id: string) {
      const res = await call(who, 'GET', `/api/v1/executions/${id}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    },
    /** Polls until the execution reaches one of `statuses`. */
    async waitFor(who: TestMember, id: string, statuses: string[], ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const body = await this.get(who, id);
        if (statuses.includes(body.status)) return body;
        if (Date.now() > deadline)
          throw new Error(`execution ${id} still ${body.status}, wanted ${statuses}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async steps(who: TestMember, id: string) {
      const res = await call(who, 'GET', `/api/v1/executions/${id}/steps`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data as Array<{ node_key: string; status: string; output: unknown }>;
    },
    async events(who: TestMember, id: string) {
      const res = await call(who, 'GET', `/api/v1/executions/${id}/events?limit=1000`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data as Array<{ seq: number; type: string; payload: Record<string, unknown> }>;
    },
    /** Waits until a step of `node` is running (the run is busy in it). */
    async waitForStep(who: TestMember, id: string, node: string, status = 'running', ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const steps = await this.steps(who, id);
        if (steps.some((s) => s.node_key === node && s.status === status)) return;
        if (Date.now() > deadline)
          throw new Error(`no ${status} step ${node} in ${id}: ${JSON.stringify(steps)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
