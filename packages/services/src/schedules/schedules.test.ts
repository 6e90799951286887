import { randomUUID } from 'node:crypto';
import {
  AppError,
  createAgentBodySchema,
  publishAgentBodySchema,
  rollbackAgentBodySchema,
} from '@agentflow/contracts';
import { APP_ROLE, type Db } from '@agentflow/db';
import { agentSchedules, agents, executions, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { InlineQueueDriver } from '@agentflow/queue';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveAgent, createAgent, setAgentStatus } from '../agents/agents';
import { publishAgent, rollbackAgent } from '../agents/publish';
import { starterDefinition } from '../agents/templates';
import type { ServiceContext } from '../context';
import { nextScheduleTick } from './cron';
import { fireScheduleTick, type ScheduleLogger, scheduleIdempotencyKey } from './fire';
import { listActiveSchedules } from './list';

const driver = process.env.DATABASE_URL ? 'postgres' : 'pglite';

let database: TestDatabase;
let app: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  app = database.connectAs(APP_ROLE).db;
}, 120_000);
afterAll(async () => {
  await database?.cleanup();
});

async function orgContext(): Promise<ServiceContext> {
  const suffix = randomUUID().slice(0, 8);
  const [org] = await database.db
    .insert(organizations)
    .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
    .returning({ id: organizations.id });
  return { db: app, orgId: org!.id, actor: { type: 'system', reason: 'schedules test' } };
}

/** The starter graph (trigger -> echo AI -> output) started by a schedule trigger with `config`. */
function scheduled(config: Record<string, unknown>) {
  const definition = starterDefinition('schedule', {});
  return { ...definition, nodes: [{ ...definition.nodes[0], config }, ...definition.nodes.slice(1)] };
}

const weekdayMornings = { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', data: { report: 'daily' } };

async function scheduleRow(agentId: string) {
  const [row] = await database.db.select().from(agentSchedules).where(eq(agentSchedules.agentId, agentId));
  return row;
}

async function publishedAgent(
  ctx: ServiceContext,
  config: Record<string, unknown> = weekdayMornings,
  settings: Record<string, unknown> = {},
) {
  const agent = await createAgent(
    ctx,
    createAgentBodySchema.parse({
      name: 'Scheduled',
      trigger_type: 'schedule',
      trigger_config: {},
      settings,
      definition: scheduled(config),
    }),
  );
  await publishAgent(ctx, agent.id, publishAgentBodySchema.parse({ change_message: 'v1' }));
  return agent.id;
}

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const logger: ScheduleLogger = {
    info: (obj, msg) => void lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
  return { logger, lines };
}

describe(`syncAgentSchedule through the agent lifecycle (${driver})`, () => {
  it('publish writes a paused row, activate / pause flip it, archive deletes it', async () => {
    const ctx = await orgContext();
    const agentId = await publishedAgent(ctx);
    expect(await scheduleRow(agentId)).toMatchObject({
      orgId: ctx.orgId,
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      data: { report: 'daily' },
      isActive: false,
      nextRunAt: null,
    });

    const before = Date.now();
    await setAgentStatus(ctx, agentId, { status: 'active' });
    const active = await scheduleRow(agentId);
    expect(active?.isActive).toBe(true);
    // The next weekday 09:00 in Berlin, whatever the offset (CET or CEST) is that day.
    const next = active!.nextRunAt!;
    expect(next.getTime()).toBeGreaterThan(before);
    expect(next.getTime() - before).toBeLessThanOrEqual(4 * 24 * 3600_000);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(next);
    expect(berlin).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);

    await setAgentStatus(ctx, agentId, { status: 'paused' });
    expect(await scheduleRow(agentId)).toMatchObject({ isActive: false, nextRunAt: null });
    await setAgentStatus(ctx, agentId, { status: 'active' });
    expect((await scheduleRow(agentId))?.isActive).toBe(true);

    await archiveAgent(ctx, agentId);
    expect(await scheduleRow(agentId)).toBeUndefined();
  });

  it('follows the published trigger: another trigger deletes the row, a rollback restores the old cron', async () => {
    const ctx = await orgContext();
    const agentId = await publishedAgent(ctx, { cron: '*/5 * * * *' });
    await setAgentStatus(ctx, agentId, { status: 'active' });
    expect(await scheduleRow(agentId)).toMatchObject({
      cron: '*/5 * * * *',
      timezone: 'UTC',
      isActive: true,
    });

    await publishAgent(
      ctx,
      agentId,
      publishAgentBodySchema.parse({
        definition: starterDefinition('manual', {}),
        change_message: 'v2',
      }),
    );
    expect(await scheduleRow(agentId)).toBeUndefined();

    await publishAgent(
      ctx,
      agentId,
      publishAgentBodySchema.parse({
        definition: scheduled({ cron: '30 7 * * *', timezone: 'Asia/Tokyo' }),
        change_message: 'v3',
      }),
    );
    expect(await scheduleRow(agentId)).toMatchObject({
      cron: '30 7 * * *',
      timezone: 'Asia/Tokyo',
      isActive: true,
    });

    await rollbackAgent(ctx, agentId, rollbackAgentBodySchema.parse({ version: 1 }));
    expect(await scheduleRow(agentId)).toMatchObject({
      cron: '*/5 * * * *',
      timezone: 'UTC',
      isActive: true,
    });
  });

  it('refuses a cron the strict parser rejects with the validator 422, and commits nothing', async () => {
    const ctx = await orgContext();
    const agent = await createAgent(
      ctx,
      createAgentBodySchema.parse({
        name: 'Bad cron',
        trigger_type: 'schedule',
        trigger_config: {},
        settings: {},
        // Passes the contracts' shape check (five fields, allowed characters), not the range check.
        definition: scheduled({ cron: '61 * * * *' }),
      }),
    );
    const error = await publishAgent(
      ctx,
      agent.id,
      publishAgentBodySchema.parse({ change_message: 'v1' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_ERROR');
    expect((error as AppError).details.problems).toEqual([
      {
        code: 'invalid_config',
        message: expect.stringMatching(/^Invalid cron expression "61 \* \* \* \*": .*0-59/),
        node_id: 'trigger',
        path: 'nodes.0.config.cron',
      },
    ]);
    const [row] = await database.db.select().from(agents).where(eq(agents.id, agent.id));
    expect(row).toMatchObject({ latestVersion: 0, publishedVersionId: null });
    expect(await scheduleRow(agent.id)).toBeUndefined();
  });

  it('lists the active schedules of every org, not paused or archived ones', async () => {
    const [a, b] = [await orgContext(), await orgContext()];
    const activeA = await publishedAgent(a, { cron: '0 * * * *' });
    await setAgentStatus(a, activeA, { status: 'active' });
    const activeB = await publishedAgent(b, { cron: '*/2 * * * * *', timezone: 'America/New_York' });
    await setAgentStatus(b, activeB, { status: 'active' });
    const paused = await publishedAgent(b);
    const archived = await publishedAgent(a);
    await setAgentStatus(a, archived, { status: 'active' });
    await archiveAgent(a, archived);

    const listed = await listActiveSchedules(app);
    const ids = listed.map((s) => s.agentId);
    expect(listed).toContainEqual({ agentId: activeA, orgId: a.orgId, cron: '0 * * * *', timezone: 'UTC' });
    expect(listed).toContainEqual({
      agentId: activeB,
      orgId: b.orgId,
      cron: '*/2 * * * * *',
      timezone: 'America/New_York',
    });
    expect(ids).not.toContain(paused);
    expect(ids).not.toContain(archived);
  });
});

describe(`fireScheduleTick (${driver})`, () => {
  it('makes exactly one execution per tick, however many deliveries race for it', async () => {
    const ctx = await orgContext();
    const agentId = await publishedAgent(ctx, { cron: '*/2 * * * * *', data: { report: 'daily' } });
    await setAgentStatus(ctx, agentId, { status: 'active' });
    const queue = new InlineQueueDriver();
    const tick = { agent_id: agentId, org_id: ctx.orgId, scheduled_for: '2026-11-21T10:00:02.000Z' };

    const outcomes = await Promise.all([
      fireScheduleTick(app, tick, { queue }),
      fireScheduleTick(app, tick, { queue }),
      // The same instant written with another offset is the same tick.
      fireScheduleTick(app, { ...tick, scheduled_for: '2026-11-21T11:00:02+01:00' }, { queue }),
    ]);
    const ids = new Set(outcomes.map((o) => (o.status === 'started' ? o.executionId : o.status)));
    expect(ids.size).toBe(1);
    const rows = await database.db.select().from(executions).where(eq(executions.agentId, agentId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: [...ids][0],
      triggeredBy: 'schedule',
      triggeredByUserId: null,
      status: 'pending',
      idempotencyKey: `schedule:${agentId}:2026-11-21T10:00:02.000Z`,
      triggerData: { report: 'daily', scheduled_for: '2026-11-21T10:00:02.000Z' },
    });
    // Enqueued once, with the execution id as job id.
    expect(await queue.getJob('executions', rows[0]!.id)).toMatchObject({ state: 'waiting' });

    const second = await fireScheduleTick(
      app,
      { ...tick, scheduled_for: '2026-11-21T10:00:04.000Z' },
      { queue },
    );
    expect(second).toMatchObject({ status: 'started' });
    expect(await database.db.select().from(executions).where(eq(executions.agentId, agentId))).toHaveLength(
      2,
    );

    const schedule = await scheduleRow(agentId);
    expect(schedule?.lastTickAt?.toISOString()).toBe('2026-11-21T10:00:04.000Z');
    // A late duplicate of an older tick does not move last_tick_at back.
    await fireScheduleTick(app, tick, { queue });
    expect((await scheduleRow(agentId))?.lastTickAt?.toISOString()).toBe('2026-11-21T10:00:04.000Z');
    expect((await scheduleRow(agentId))?.nextRunAt?.getTime()).toBeGreaterThan(Date.now() - 1_000);
    await queue.close();
  });

  it('skips paused, missing and foreign schedules with a log line and no execution', async () => {
    const ctx = await orgContext();
    const other = await orgContext();
    const agentId = await publishedAgent(ctx, { cron: '* * * * *' });
    const queue = new InlineQueueDriver();
    const { logger, lines } = recordingLogger();
    const at = new Date().toISOString();

    // Published but never activated: the row exists, paused.
    expect(
      await fireScheduleTick(
        app,
        { agent_id: agentId, org_id: ctx.orgId, scheduled_for: at },
        { queue, logger },
      ),
    ).toEqual({
      status: 'skipped',
      reason: 'schedule_paused',
    });
    // Another org's id for this agent: RLS hides the row.
    await setAgentStatus(ctx, agentId, { status: 'active' });
    expect(
      await fireScheduleTick(
        app,
        { agent_id: agentId, org_id: other.orgId, scheduled_for: at },
        { queue, logger },
      ),
    ).toEqual({ status: 'skipped', reason: 'schedule_missing' });
    expect(
      await fireScheduleTick(
        app,
        { agent_id: randomUUID(), org_id: ctx.orgId, scheduled_for: at },
        { queue, logger },
      ),
    ).toEqual({ status: 'skipped', reason: 'schedule_missing' });

    expect(await database.db.select().from(executions).where(eq(executions.agentId, agentId))).toHaveLength(
      0,
    );
    expect(lines.map((l) => [l.level, l.msg, l.obj.reason])).toEqual([
      ['info', 'schedule tick skipped', 'schedule_paused'],
      ['info', 'schedule tick skipped', 'schedule_missing'],
      ['info', 'schedule tick skipped', 'schedule_missing'],
    ]);
    await queue.close();
  });

  it('drops a tick refused by the concurrency limit with a warning instead of throwing', async () => {
    const ctx = await orgContext();
    const agentId = await publishedAgent(ctx, { cron: '* * * * *' }, { concurrency_limit: 1 });
    await setAgentStatus(ctx, agentId, { status: 'active' });
    // Nothing consumes this queue, so the first execution stays pending and holds the only slot.
    const queue = new InlineQueueDriver();
    const { logger, lines } = recordingLogger();
    const first = await fireScheduleTick(
      app,
      { agent_id: agentId, org_id: ctx.orgId, scheduled_for: '2026-11-21T10:00:00Z' },
      { queue, logger },
    );
    expect(first.status).toBe('started');
    const second = await fireScheduleTick(
      app,
      { agent_id: agentId, org_id: ctx.orgId, scheduled_for: '2026-11-21T10:01:00Z' },
      { queue, logger },
    );
    expect(second).toEqual({ status: 'skipped', reason: 'concurrency_limit' });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'schedule tick dropped: concurrency limit reached' }),
    );
    expect(await database.db.select().from(executions).where(eq(executions.agentId, agentId))).toHaveLength(
      1,
    );
    // The dropped tick still counts as the schedule's last tick.
    expect((await scheduleRow(agentId))?.lastTickAt?.toISOString()).toBe('2026-11-21T10:01:00.000Z');
    await queue.close();
  });
});

describe('cron helpers', () => {
  it('reads six fields as seconds first and the fields in the given zone, across DST', () => {
    expect(nextScheduleTick('*/2 * * * * *', 'UTC', new Date('2026-01-01T00:00:00.500Z')).toISOString()).toBe(
      '2026-01-01T00:00:02.000Z',
    );
    // Europe/Berlin springs forward on 2026-03-29: 02:30 does not exist that day and runs at 03:30.
    expect(
      nextScheduleTick('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z')).toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
    // It falls back on 2026-10-25: 02:30 happens twice, the schedule runs once (the first one).
    const first = nextScheduleTick('30 2 * * *', 'Europe/Berlin', new Date('2026-10-24T12:00:00Z'));
    expect(first.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(nextScheduleTick('30 2 * * *', 'Europe/Berlin', first).toISOString()).toBe(
      '2026-10-26T01:30:00.000Z',
    );
    expect(scheduleIdempotencyKey('a', '2026-10-25T02:30:00+02:00')).toBe(
      'schedule:a:2026-10-25T00:30:00.000Z',
    );
  });
});
