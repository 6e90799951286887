import { APP_ROLE } from '@agentflow/db';
import { agentSchedules, executions } from '@agentflow/db/schema';
import { setAgentStatus, starterDefinition } from '@agentflow/services';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { caller, createAgentAs } from '../routes/agents/test-fixtures';
import { createOrgWithOwner, type TestMember } from '../routes/org/test-fixtures';
import { createTestApp, sharedTestDatabase, type TestApp } from '../test-support/test-app';

const shared = sharedTestDatabase();
const apps: TestApp[] = [];

beforeAll(async () => {
  await shared.setup();
});
afterAll(async () => {
  for (const { app } of apps) await app.close();
  await shared.teardown();
});

async function embeddedApp(scheduleReconcileIntervalMs: number): Promise<TestApp> {
  const testApp = await createTestApp({
    database: shared.get().connectAs(APP_ROLE),
    config: { scheduleReconcileIntervalMs, logLevel: 'debug' },
  });
  apps.push(testApp);
  return testApp;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The starter graph (echo model, runs offline) started every second by a schedule trigger. */
function everySecond() {
  const starter = starterDefinition('schedule', {});
  return {
    ...starter,
    nodes: [
      {
        ...starter.nodes[0],
        config: { cron: '* * * * * *', timezone: 'Asia/Kolkata', data: { source: 'cron' } },
      },
      ...starter.nodes.slice(1),
    ],
  };
}

async function activeScheduledAgent(app: App, owner: TestMember): Promise<string> {
  const call = caller(() => app);
  const agent = await createAgentAs(app, owner, {
    trigger_type: 'schedule',
    definition: everySecond(),
    settings: { concurrency_limit: 100 },
  });
  expect(
    (await call(owner, 'POST', `/api/v1/agents/${agent.id}/publish`, { change_message: 'v1' })).statusCode,
  ).toBe(201);
  expect(
    (await call(owner, 'PUT', `/api/v1/agents/${agent.id}/status`, { status: 'active' })).statusCode,
  ).toBe(200);
  return agent.id;
}

async function executionsByTick(agentId: string) {
  const rows = await shared.get().db.select().from(executions).where(eq(executions.agentId, agentId));
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const tick = String((row.triggerData as { scheduled_for?: unknown }).scheduled_for);
    groups.set(tick, [...(groups.get(tick) ?? []), row]);
  }
  return { rows, groups };
}

async function waitForTicks(agentId: string, n: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await executionsByTick(agentId);
    if (result.groups.size >= n) return result;
    if (Date.now() > deadline) throw new Error(`only ${result.groups.size} ticks after ${timeoutMs} ms`);
    await sleep(100);
  }
}

function expectOnePerTick(agentId: string, groups: Map<string, Array<typeof executions.$inferSelect>>) {
  for (const [tick, rows] of groups) {
    expect(rows, `executions of tick ${tick}`).toHaveLength(1);
    expect(Date.parse(tick) % 1000).toBe(0);
    expect(rows[0]).toMatchObject({
      triggeredBy: 'schedule',
      idempotencyKey: `schedule:${agentId}:${tick}`,
      triggerData: { source: 'cron', scheduled_for: tick },
    });
  }
}

describe('schedule triggers in embedded mode (inline queue, in-process scheduler)', {
  timeout: 90_000,
}, () => {
  it('ticks as soon as the agent is activated through the API, runs the executions, and stops on pause', async () => {
    // A minute-long period: only the schedules:changed nudge of the routes can explain a prompt reaction.
    const { app } = await embeddedApp(60_000);
    const call = caller(() => app);
    const owner = await createOrgWithOwner(app);
    const agentId = await activeScheduledAgent(app, owner);

    const { groups } = await waitForTicks(agentId, 3, 15_000);
    expectOnePerTick(agentId, groups);
    // The inline executions consumer runs them: the scheduled run completes like any other.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await executionsByTick(agentId);
      if (rows.some((row) => row.status === 'completed')) break;
      if (Date.now() > deadline) throw new Error(`no scheduled run completed: ${rows.map((r) => r.status)}`);
      await sleep(100);
    }
    const listed = (await call(owner, 'GET', `/api/v1/executions?agent_id=${agentId}`)).json();
    expect(listed.data[0]).toMatchObject({ agent_id: agentId, triggered_by: 'schedule' });

    expect(
      (await call(owner, 'PUT', `/api/v1/agents/${agentId}/status`, { status: 'paused' })).statusCode,
    ).toBe(200);
    await sleep(1_500); // a tick already enqueued when the pause committed is skipped, not run
    const atPause = (await executionsByTick(agentId)).rows.length;
    await sleep(3_000);
    expect((await executionsByTick(agentId)).rows.length).toBe(atPause);
  });

  it('two schedulers on one database make one execution per tick; a pause without nudge applies within a period', async () => {
    const first = await embeddedApp(500);
    const second = await embeddedApp(500);
    const owner = await createOrgWithOwner(first.app);
    const agentId = await activeScheduledAgent(first.app, owner);

    const { groups } = await waitForTicks(agentId, 4, 20_000);
    expectOnePerTick(agentId, groups);
    // Both processes really fired ticks (each scheduler enqueues into its own inline queue).
    for (const { logs } of [first, second]) {
      await expect
        .poll(() => logs.lines().filter((line) => line.msg === 'schedule tick done').length, {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
    }

    // Straight through the service: no route, so no schedules:changed message; the periodic pass
    // (500 ms) must notice the row on its own.
    await setAgentStatus(
      {
        db: shared.get().connectAs(APP_ROLE).db,
        orgId: owner.orgId,
        actor: { type: 'system', reason: 'test' },
      },
      agentId,
      { status: 'paused' },
    );
    const [row] = await shared
      .get()
      .db.select()
      .from(agentSchedules)
      .where(eq(agentSchedules.agentId, agentId));
    expect(row?.isActive).toBe(false);
    await sleep(2_000);
    const atPause = (await executionsByTick(agentId)).rows.length;
    const ticksAtPause = [first, second].map(
      ({ logs }) => logs.lines().filter((line) => line.msg === 'schedule tick done').length,
    );
    await sleep(3_000);
    expect((await executionsByTick(agentId)).rows.length).toBe(atPause);
    expect(
      [first, second].map(
        ({ logs }) => logs.lines().filter((line) => line.msg === 'schedule tick done').length,
      ),
    ).toEqual(ticksAtPause);
  });
});
