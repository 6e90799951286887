import { randomUUID } from 'node:crypto';
import { createAgentBodySchema, publishAgentBodySchema } from '@agentflow/contracts';
import { APP_ROLE, type Db } from '@agentflow/db';
import { agentSchedules, executions, organizations } from '@agentflow/db/schema';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import { closeRedis, createRedis, scheduleSchedulerId } from '@agentflow/queue';
import { deleteKeysWithPrefix, REDIS_SKIP_REASON, uniquePrefix, waitFor } from '@agentflow/queue/testing';
import {
  createAgent,
  publishAgent,
  type ServiceContext,
  setAgentStatus,
  starterDefinition,
} from '@agentflow/services';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorker, type WorkerRun } from './test-support/process';

const redisUrl = process.env.REDIS_URL;
const databaseUrl = process.env.DATABASE_URL;
const skipReason = !redisUrl
  ? REDIS_SKIP_REASON
  : 'skipped: DATABASE_URL is not set (two worker processes need one Postgres; PGlite is single-process)';

describe.skipIf(!redisUrl || !databaseUrl)(
  `schedule triggers across two worker processes${redisUrl && databaseUrl ? '' : ` (${skipReason})`}`,
  { timeout: 150_000 },
  () => {
    const prefix = uniquePrefix('schedules');
    let database: TestDatabase;
    let app: Db;
    const runs: WorkerRun[] = [];

    beforeAll(async () => {
      database = await createTestDatabase();
      app = database.connectAs(APP_ROLE).db;
    }, 120_000);
    afterAll(async () => {
      for (const run of runs) run.child.kill('SIGKILL');
      const admin = createRedis(redisUrl ?? '', { role: 'producer' });
      await deleteKeysWithPrefix(admin, prefix);
      await closeRedis(admin);
      await database?.cleanup();
    });

    it('fires one execution per tick however many workers run, and stops after a pause', async () => {
      const suffix = randomUUID().slice(0, 8);
      const [org] = await database.db
        .insert(organizations)
        .values({ name: `Org ${suffix}`, slug: `org-${suffix}` })
        .returning({ id: organizations.id });
      const ctx: ServiceContext = {
        db: app,
        orgId: org!.id,
        actor: { type: 'system', reason: 'schedules test' },
      };
      const starter = starterDefinition('schedule', {});
      const definition = {
        ...starter,
        nodes: [
          {
            ...starter.nodes[0],
            config: { cron: '*/2 * * * * *', timezone: 'Europe/Berlin', data: { kind: 'tick' } },
          },
          ...starter.nodes.slice(1),
        ],
      };
      const agent = await createAgent(
        ctx,
        createAgentBodySchema.parse({
          name: 'Every two seconds',
          trigger_type: 'schedule',
          trigger_config: {},
          // Ticks must not be dropped by the limit while earlier runs are still going on a slow machine.
          settings: { concurrency_limit: 100 },
          definition,
        }),
      );
      await publishAgent(ctx, agent.id, publishAgentBodySchema.parse({ change_message: 'v1' }));
      await setAgentStatus(ctx, agent.id, { status: 'active' });

      const env = {
        REDIS_URL: redisUrl ?? '',
        DATABASE_URL: withDatabase(databaseUrl ?? '', database.name),
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: '5000',
        SCHEDULE_RECONCILE_INTERVAL_MS: '1000',
      };
      runs.push(runWorker(env), runWorker(env));
      for (const run of runs) {
        await waitFor(() => run.lines.find((line) => line.msg === 'worker ready'), {
          timeoutMs: 60_000,
          what: `"worker ready" (output so far: ${run.output()})`,
        });
      }

      const byTick = async () => {
        const rows = await database.db.select().from(executions).where(eq(executions.agentId, agent.id));
        const groups = new Map<string, typeof rows>();
        for (const row of rows) {
          const tick = String((row.triggerData as { scheduled_for?: unknown }).scheduled_for);
          groups.set(tick, [...(groups.get(tick) ?? []), row]);
        }
        return { rows, groups };
      };
      const ticked = await waitFor(
        async () => {
          const result = await byTick();
          return result.groups.size >= 3 ? result : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'three ticks' },
      );
      for (const [tick, rows] of ticked.groups) {
        expect(rows, `executions of tick ${tick}`).toHaveLength(1);
        expect(Date.parse(tick) % 2000).toBe(0);
        expect(rows[0]).toMatchObject({
          triggeredBy: 'schedule',
          idempotencyKey: `schedule:${agent.id}:${tick}`,
          triggerData: { kind: 'tick', scheduled_for: tick },
        });
      }
      // Both processes received ticks from the one scheduler in Redis (BullMQ hands each job to one).
      const done = () => runs.map((run) => run.lines.filter((line) => line.msg === 'schedule tick done'));
      await waitFor(() => done().every((lines) => lines.length > 0) || undefined, {
        timeoutMs: 30_000,
        what: 'both workers to process a tick',
      });
      const jobIds = done().flatMap((lines) => lines.map((line) => line.jobId));
      expect(new Set(jobIds).size).toBe(jobIds.length);

      // Pause: the row flips at once (ticks in flight are skipped); the next reconcile removes the
      // job scheduler, after which no tick is even delivered.
      await setAgentStatus(ctx, agent.id, { status: 'paused' });
      const [row] = await database.db
        .select()
        .from(agentSchedules)
        .where(eq(agentSchedules.agentId, agent.id));
      expect(row?.isActive).toBe(false);
      const connection = createRedis(redisUrl ?? '', { role: 'producer' });
      const inspect = new Queue('schedules', { connection, prefix });
      try {
        await waitFor(
          async () => (await inspect.getJobScheduler(scheduleSchedulerId(agent.id))) === undefined,
          {
            timeoutMs: 10_000,
            what: 'the job scheduler to be removed',
          },
        );
        // A tick promoted just before the removal may still be on its way to a processor.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const executionsAtPause = (await byTick()).rows.length;
        const ticksAtPause = done().flat().length;
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        expect((await byTick()).rows.length).toBe(executionsAtPause);
        expect(done().flat().length).toBe(ticksAtPause);
        expect(await inspect.getDelayed()).toEqual([]);
      } finally {
        await inspect.close();
        await closeRedis(connection);
      }

      for (const run of runs) run.child.kill('SIGTERM');
      for (const run of runs) expect((await run.exited).code, run.output()).toBe(0);
    });
  },
);

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
