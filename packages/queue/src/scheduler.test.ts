import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqQueueDriver } from './drivers/bullmq';
import { InlineQueueDriver } from './drivers/inline';
import { MemoryEventBus } from './events/memory-event-bus';
import { closeRedis, createRedis } from './redis';
import type { JobPayload } from './registry';
import {
  createScheduleDriver,
  SCHEDULES_CHANGED_CHANNEL,
  type ScheduleLogger,
  type ScheduleSpec,
  scheduleSchedulerId,
  startScheduleReconciler,
} from './scheduler';
import { nextTickMillis } from './schedulers/cron';
import { schedulerTickOf, withSchedulerTick } from './schedulers/tick';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from './testing';

const redisUrl = process.env.REDIS_URL;
const title = (name: string) => (redisUrl ? name : `${name} (${REDIS_SKIP_REASON})`);

function memoryLogger() {
  const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
  const push = (level: string) => (details: object, message: string) =>
    void lines.push({ level, message, details: details as Record<string, unknown> });
  const logger: ScheduleLogger = { info: push('info'), warn: push('warn'), error: push('error') };
  return { logger, lines };
}

const spec = (cron: string, extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  agentId: randomUUID(),
  orgId: randomUUID(),
  cron,
  timezone: 'UTC',
  ...extra,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Tick = JobPayload<'schedules'> & { jobId: string };

/** Consumes `schedules` on `driver`, recording each delivered payload with its job id. */
async function recordTicks(driver: InlineQueueDriver | BullmqQueueDriver) {
  const ticks: Tick[] = [];
  const consumer = await driver.consume('schedules', async (payload, job) => {
    ticks.push({ ...payload, jobId: job.jobId });
  });
  return { ticks, consumer };
}

describe('cron ticks', () => {
  it('reads six fields as seconds first and honours the time zone', () => {
    const base = Date.parse('2026-01-01T00:00:00.500Z');
    expect(new Date(nextTickMillis('*/2 * * * * *', 'UTC', base)).toISOString()).toBe(
      '2026-01-01T00:00:02.000Z',
    );
    expect(new Date(nextTickMillis('0 9 * * *', 'America/New_York', base)).toISOString()).toBe(
      '2026-01-01T14:00:00.000Z',
    );
  });

  it('takes the tick of a job scheduler job from its id and leaves other jobs alone', () => {
    const job = {
      id: 'repeat:agent:a1:1795227096000',
      repeatJobKey: 'agent:a1',
      opts: {},
      data: { agent_id: 'a1' },
    };
    expect(schedulerTickOf(job)?.toISOString()).toBe(new Date(1795227096000).toISOString());
    expect(withSchedulerTick(job)).toEqual({
      agent_id: 'a1',
      scheduled_for: new Date(1795227096000).toISOString(),
    });
    // An id in an unexpected shape falls back to opts.prevMillis.
    expect(schedulerTickOf({ ...job, id: 'odd', opts: { prevMillis: 1000 } })?.getTime()).toBe(1000);
    const plain = { id: 'x', opts: {}, data: { agent_id: 'a1', scheduled_for: '2026-01-01T00:00:00Z' } };
    expect(withSchedulerTick(plain)).toBe(plain.data);
  });
});

describe('timer schedule driver (inline queue)', () => {
  it('enqueues one job per tick with its nominal time, follows updates and stops on removal', async () => {
    const queue = new InlineQueueDriver();
    const { logger } = memoryLogger();
    const driver = createScheduleDriver(queue, { logger });
    expect(driver.kind).toBe('timer');
    const { ticks } = await recordTicks(queue);
    const every = spec('* * * * * *');

    expect(await driver.sync([every])).toEqual({
      created: [every.agentId],
      updated: [],
      removed: [],
      unchanged: 0,
    });
    expect(await driver.sync([every])).toEqual({ created: [], updated: [], removed: [], unchanged: 1 });
    await waitFor(() => ticks.length >= 2, { timeoutMs: 5_000, what: 'two ticks' });
    for (const tick of ticks) {
      const at = Date.parse(tick.scheduled_for);
      expect(at % 1000).toBe(0);
      expect(tick).toMatchObject({
        agent_id: every.agentId,
        org_id: every.orgId,
        jobId: `${every.agentId}.${at}`,
      });
    }
    expect(new Set(ticks.map((t) => t.scheduled_for)).size).toBe(ticks.length);

    // A new cron replaces the timer: every other second from now on.
    expect(await driver.sync([{ ...every, cron: '*/2 * * * * *' }])).toMatchObject({
      updated: [every.agentId],
    });
    const changedAt = Date.now();
    const ticksAfter = (at: number) => ticks.filter((tick) => Date.parse(tick.scheduled_for) > at);
    await waitFor(() => ticksAfter(changedAt).length >= 2, {
      timeoutMs: 6_000,
      what: 'ticks of the new cron',
    });
    for (const tick of ticksAfter(changedAt)) expect(Date.parse(tick.scheduled_for) % 2000).toBe(0);

    expect(await driver.sync([])).toEqual({
      created: [],
      updated: [],
      removed: [every.agentId],
      unchanged: 0,
    });
    const removedAt = Date.now();
    await sleep(2_500);
    expect(ticksAfter(removedAt)).toEqual([]);
    await driver.close();
    await queue.close();
  });

  it('logs a schedule whose cron cannot be computed instead of failing the others', async () => {
    const queue = new InlineQueueDriver();
    const { logger, lines } = memoryLogger();
    const driver = createScheduleDriver(queue, { logger });
    const good = spec('0 9 * * *');
    const bad = spec('0 9 * * *', { timezone: 'Not/AZone' });
    expect(await driver.sync([bad, good])).toMatchObject({ created: [good.agentId] });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'schedule has no usable next tick; not scheduled' }),
    );
    await driver.close();
    await queue.close();
  });
});

describe('schedule reconciler', () => {
  it('applies load() at start, every period and at once on schedules:changed; survives a failing pass', async () => {
    const queue = new InlineQueueDriver();
    const events = new MemoryEventBus();
    const { logger, lines } = memoryLogger();
    const driver = createScheduleDriver(queue, { logger });
    const rows: ScheduleSpec[] = [spec('0 9 * * *')];
    let fail = false;
    let loads = 0;
    const reconciler = await startScheduleReconciler({
      driver,
      events,
      logger,
      intervalMs: 60_000,
      load: async () => {
        loads += 1;
        if (fail) throw new Error('database down');
        return [...rows];
      },
    });
    expect(loads).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'schedules reconciled',
        details: expect.objectContaining({ created: [rows[0]!.agentId] }),
      }),
    );

    // The period is a minute: only the nudge can make this happen within the wait below.
    const added = spec('*/5 * * * *');
    rows.push(added);
    await events.publish(SCHEDULES_CHANGED_CHANNEL, added.agentId);
    await waitFor(
      () => lines.some((l) => (l.details.created as string[] | undefined)?.includes(added.agentId)),
      {
        what: 'the nudged pass',
      },
    );

    fail = true;
    expect(await reconciler.reconcile()).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'reconciling schedules failed; retrying at the next period',
      }),
    );
    fail = false;
    rows.shift();
    expect(await reconciler.reconcile()).toMatchObject({ removed: [expect.any(String)], unchanged: 1 });

    await reconciler.close();
    expect(await reconciler.reconcile()).toBeUndefined();
    await events.close();
    await queue.close();
  });

  it('runs a pass every intervalMs without being asked', async () => {
    const queue = new InlineQueueDriver();
    let loads = 0;
    const reconciler = await startScheduleReconciler({
      driver: createScheduleDriver(queue, { logger: memoryLogger().logger }),
      intervalMs: 100,
      load: async () => {
        loads += 1;
        return [];
      },
    });
    await waitFor(() => loads >= 4, { timeoutMs: 3_000, what: 'periodic passes' });
    await reconciler.close();
    const after = loads;
    await sleep(300);
    expect(loads).toBe(after);
    await queue.close();
  });
});

describe.skipIf(!redisUrl)(title('bullmq schedule driver'), () => {
  const url = redisUrl ?? '';
  const prefixes: string[] = [];
  afterAll(async () => {
    if (!redisUrl) return;
    const admin = createRedis(url, { role: 'producer' });
    for (const prefix of prefixes) await deleteKeysWithPrefix(admin, prefix);
    await closeRedis(admin);
  });

  function newDriver(prefix = uniquePrefix('sched')) {
    prefixes.push(prefix);
    const { logger } = memoryLogger();
    return { queue: new BullmqQueueDriver({ redisUrl: url, prefix, logger }), prefix };
  }

  it('creates one job scheduler per agent, only rewrites what changed, removes the rest', async () => {
    const { queue, prefix } = newDriver();
    const driver = createScheduleDriver(queue);
    expect(driver.kind).toBe('bullmq');
    const a = spec('0 9 * * 1-5', { timezone: 'Europe/Berlin' });
    const b = spec('*/10 * * * *');
    const connection = createRedis(url, { role: 'producer' });
    const inspect = new Queue('schedules', { connection, prefix });
    // Someone else's scheduler on the same queue is not ours to remove.
    await inspect.upsertJobScheduler('foreign', { pattern: '0 0 * * *' }, { name: 'x', data: {} });

    expect(await driver.sync([a, b])).toMatchObject({ created: [a.agentId, b.agentId], unchanged: 0 });
    const scheduler = await inspect.getJobScheduler(scheduleSchedulerId(a.agentId));
    expect(scheduler).toMatchObject({
      pattern: '0 9 * * 1-5',
      tz: 'Europe/Berlin',
      template: { data: { agent_id: a.agentId, org_id: a.orgId } },
    });
    // Its pending job is the next 09:00 Berlin weekday, as computed with the same library.
    expect(scheduler?.next).toBe(nextTickMillis('0 9 * * 1-5', 'Europe/Berlin', Date.now()));
    const pending = await inspect.getDelayed();
    const ours = pending.map((job) => job.id).filter((id) => id?.startsWith('repeat:agent:'));
    expect(ours).toHaveLength(2);
    expect(ours).toEqual(
      expect.arrayContaining([
        `repeat:agent:${a.agentId}:${scheduler?.next}`,
        expect.stringMatching(`^repeat:agent:${b.agentId}:`),
      ]),
    );

    expect(await driver.sync([a, b])).toEqual({ created: [], updated: [], removed: [], unchanged: 2 });
    expect(await driver.sync([{ ...a, cron: '0 10 * * 1-5' }])).toEqual({
      created: [],
      updated: [a.agentId],
      removed: [b.agentId],
      unchanged: 0,
    });
    expect((await inspect.getJobScheduler(scheduleSchedulerId(a.agentId)))?.pattern).toBe('0 10 * * 1-5');
    expect(await inspect.getJobScheduler(scheduleSchedulerId(b.agentId))).toBeUndefined();
    // The removed scheduler's pending job went with it.
    expect((await inspect.getDelayed()).map((job) => job.id)).not.toContainEqual(
      expect.stringContaining(b.agentId),
    );
    expect(await inspect.getJobScheduler('foreign')).toBeDefined();

    await driver.close();
    await inspect.close();
    await closeRedis(connection);
    await queue.close();
  });

  it('logs a schedule BullMQ refuses and still syncs the others', async () => {
    const { queue } = newDriver();
    const { logger, lines } = memoryLogger();
    const driver = createScheduleDriver(queue, { logger });
    const bad = spec('61 * * * *');
    const good = spec('0 * * * *');
    expect(await driver.sync([bad, good])).toEqual({
      created: [good.agentId],
      updated: [],
      removed: [],
      unchanged: 0,
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'creating the job scheduler of a schedule failed; retrying at the next reconcile',
        details: expect.objectContaining({ agentId: bad.agentId }),
      }),
    );
    await queue.close();
  });

  it('two processes syncing the same schedules at once leave one scheduler and one pending job', async () => {
    const first = newDriver();
    const second = newDriver(first.prefix);
    const a = spec('*/30 * * * * *');
    await Promise.all([
      createScheduleDriver(first.queue).sync([a]),
      createScheduleDriver(second.queue).sync([a]),
    ]);
    const connection = createRedis(url, { role: 'producer' });
    const inspect = new Queue('schedules', { connection, prefix: first.prefix });
    expect(await inspect.getJobSchedulers()).toHaveLength(1);
    expect(await inspect.getDelayed()).toHaveLength(1);
    await inspect.close();
    await closeRedis(connection);
    await first.queue.close();
    await second.queue.close();
  });

  it('delivers each tick with scheduled_for = its nominal time, one job per tick', async () => {
    const { queue } = newDriver();
    const driver = createScheduleDriver(queue);
    const { ticks } = await recordTicks(queue);
    const every = spec('* * * * * *');
    await driver.sync([every]);
    await waitFor(() => ticks.length >= 3, { timeoutMs: 8_000, what: 'three ticks' });
    await driver.sync([]);
    const scheduledFor = ticks.map((tick) => Date.parse(tick.scheduled_for));
    expect(new Set(scheduledFor).size).toBe(ticks.length);
    for (const [i, tick] of ticks.entries()) {
      expect(tick).toMatchObject({ agent_id: every.agentId, org_id: every.orgId });
      expect(scheduledFor[i]! % 1000).toBe(0);
      expect(tick.jobId).toBe(`repeat:agent:${every.agentId}:${scheduledFor[i]}`);
    }
    const stoppedAt = ticks.length;
    await sleep(2_500);
    // At most the tick that was already being delivered while the scheduler was removed.
    expect(ticks.length - stoppedAt).toBeLessThanOrEqual(1);
    await queue.close();
  });
});
