import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_ROLE } from '@agentflow/db';
import { executionEvents, executionSteps, executions } from '@agentflow/db/schema';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app';
import { createTestApp, sharedTestDatabase } from '../../test-support/test-app';
import { triggerNode } from '../agents/test-fixtures';
import { createOrgWithOwner } from '../org/test-fixtures';
import { activeAgent, executionsClient } from './runtime-fixtures';

/**
 * Checkpointed runs store their writes in the background (durability async) and hold back every
 * step with an outside effect until everything before it is committed. Proven from the outside: when
 * the HTTP node's request arrives, another connection already sees the earlier steps completed, the
 * HTTP step's own start, and their events.
 */
const shared = sharedTestDatabase();
let app: App;
let server: Server;
let port: number;
const x = executionsClient(() => app);
const seenAtRequest: Array<{ steps: Array<{ node: string; status: string }>; events: string[] }> = [];

async function committedState(tag: string) {
  const db = shared.get().db;
  const [run] = await db
    .select({ id: executions.id })
    .from(executions)
    .where(
      sql`${executions.triggerData}->'data'->>'tag' = ${tag} or ${executions.triggerData}->>'tag' = ${tag}`,
    );
  if (!run) return { steps: [], events: [] };
  const steps = await db
    .select({ node: executionSteps.nodeKey, status: executionSteps.status })
    .from(executionSteps)
    .where(eq(executionSteps.executionId, run.id))
    .orderBy(asc(executionSteps.stepOrder));
  const events = await db
    .select({ type: executionEvents.type, payload: executionEvents.payload })
    .from(executionEvents)
    .where(eq(executionEvents.executionId, run.id))
    .orderBy(asc(executionEvents.seq));
  return {
    steps,
    events: events
      .filter((e) => e.type.startsWith('step.'))
      .map((e) => `${e.type}:${(e.payload as { node_id?: string }).node_id}`),
  };
}

beforeAll(async () => {
  await shared.setup();
  server = createServer((req, res) => {
    const tag = decodeURIComponent(req.url?.split('/').at(-1) ?? '');
    void committedState(tag).then((state) => {
      seenAtRequest.push(state);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  ({ app } = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: { httpNodePolicy: { allowHosts: [], allowCidrs: ['127.0.0.1'] } },
  }));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await shared.teardown();
});

const set = (id: string, y: number) => ({
  id,
  type: 'transform',
  subtype: 'set',
  label: id,
  config: { values: { at: id } },
  position: { x: 0, y },
});

/** trigger -> a -> b -> call (HTTP, an outside effect) -> c */
function effectAfterPureSteps() {
  return {
    nodes: [
      triggerNode(),
      set('a', 100),
      set('b', 200),
      {
        id: 'call',
        type: 'action',
        subtype: 'http_request',
        label: 'Call',
        config: { url: `http://127.0.0.1:${port}/hit/{{trigger.data.tag}}` },
        position: { x: 0, y: 300 },
      },
      set('c', 400),
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'a' },
      { id: 'e2', source: 'a', target: 'b' },
      { id: 'e3', source: 'b', target: 'call' },
      { id: 'e4', source: 'call', target: 'c' },
    ],
  };
}

describe('durable runs: outside effects wait for what precedes them', () => {
  it('an HTTP step starts only once the earlier steps and its own start are committed', async () => {
    const owner = await createOrgWithOwner(app);
    const agentId = await activeAgent(app, owner, effectAfterPureSteps());
    for (let i = 0; i < 5; i++) {
      const tag = `run-${i}-${Date.now()}`;
      const id = await x.start(owner, agentId, { tag });
      const done = await x.waitFor(owner, id, ['completed', 'failed']);
      expect(done.status, JSON.stringify(done.error)).toBe('completed');
      const state = seenAtRequest.at(-1)!;
      expect(state.steps).toEqual([
        { node: 'trigger', status: 'completed' },
        { node: 'a', status: 'completed' },
        { node: 'b', status: 'completed' },
        { node: 'call', status: 'running' },
      ]);
      expect(state.events).toEqual([
        'step.started:trigger',
        'step.completed:trigger',
        'step.started:a',
        'step.completed:a',
        'step.started:b',
        'step.completed:b',
        'step.started:call',
      ]);
      const steps = await x.steps(owner, id);
      expect(steps.map((s) => [s.node_key, s.status])).toEqual([
        ['trigger', 'completed'],
        ['a', 'completed'],
        ['b', 'completed'],
        ['call', 'completed'],
        ['c', 'completed'],
      ]);
    }
    expect(seenAtRequest).toHaveLength(5);
  });
});
