import { executionJobId } from '@agentflow/contracts';
import { z } from 'zod';

/**
 * How long a finished job (and therefore its id) is kept. While it is kept, enqueueing the same job id
 * again is a silent no-op: that is what makes "job id = execution id" dedup work, and also why a
 * deliberate re-delivery must use a different id (see `executionJobId`).
 */
export interface Retention {
  ageSeconds: number;
  count: number;
}

/**
 * Delivery rules. Postgres owns the truth and the queue only delivers, so the queue never retries or
 * re-runs on its own: a job is attempted once, and a job whose worker died (stalled) is failed rather
 * than handed to another worker. Recovery belongs to the Postgres lease reaper, which knows whether a
 * run is really dead and can resume it from its checkpoint.
 */
export interface DeliveryPolicy {
  /** BullMQ `maxStalledCount`: 0 = a stalled job is failed, never silently re-run. */
  maxStalledCount: number;
  keepCompleted: Retention;
  keepFailed: Retention;
}

export const DEFAULT_POLICY: DeliveryPolicy = {
  maxStalledCount: 0,
  // A day of completed ids is plenty for dedup of retried requests; the count bound caps Redis memory.
  keepCompleted: { ageSeconds: 24 * 60 * 60, count: 1000 },
  // Failed jobs stay longer for diagnosis; Postgres still holds the authoritative error.
  keepFailed: { ageSeconds: 7 * 24 * 60 * 60, count: 5000 },
};

export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  payload: S;
  /**
   * The job id used when `enqueue` gets no explicit `jobId`. Returning a deterministic id turns a
   * duplicate enqueue into a no-op; `undefined` means every enqueue creates a new job.
   */
  defaultJobId?: (payload: z.output<S>) => string;
  policy: DeliveryPolicy;
}

function defineQueue<S extends z.ZodType>(
  definition: Omit<QueueDefinition<S>, 'policy'> & { policy?: Partial<DeliveryPolicy> },
): QueueDefinition<S> {
  return { ...definition, policy: { ...DEFAULT_POLICY, ...definition.policy } };
}

// The job id of an execution's delivery is shared with the services that re-deliver runs.
export { executionJobId };

/** One job per agent per schedule tick, however many schedulers noticed the tick. */
export function scheduleTickJobId(agentId: string, scheduledFor: string | Date): string {
  const at = typeof scheduledFor === 'string' ? Date.parse(scheduledFor) : scheduledFor.getTime();
  return `${agentId}.${at}`;
}

export const executionJobSchema = z.object({
  execution_id: z.uuid(),
  org_id: z.uuid(),
});

export const ingestionJobSchema = z.object({
  document_id: z.uuid(),
  org_id: z.uuid(),
});

export const scheduleJobSchema = z.object({
  agent_id: z.uuid(),
  org_id: z.uuid(),
  /** The tick's nominal time (ISO 8601 with offset), not the time the job was enqueued. */
  scheduled_for: z.iso.datetime({ offset: true }),
});

export const usageRollupJobSchema = z.object({
  /** Absent = roll up every org for `date`. */
  org_id: z.uuid().optional(),
  /** UTC calendar day, YYYY-MM-DD. */
  date: z.iso.date(),
});

/**
 * The one registry of queues. Unknown keys in a payload are stripped rather than rejected, so a newer
 * producer adding an optional field does not break an older worker during a rolling deploy.
 */
export const queues = {
  executions: defineQueue({
    name: 'executions',
    description: 'Run an agent execution (the row in Postgres is the source of truth).',
    payload: executionJobSchema,
    defaultJobId: (payload) => executionJobId(payload.execution_id),
  }),
  ingestion: defineQueue({
    name: 'ingestion',
    description: 'Parse, chunk and embed a knowledge-base document.',
    payload: ingestionJobSchema,
    // No default id: a re-ingest of the same document is legitimate and must not be swallowed by the
    // retained id of the previous run. Callers that want dedup pass `jobId` explicitly.
  }),
  schedules: defineQueue({
    name: 'schedules',
    description: 'A schedule trigger fired for an agent: start an execution for this tick.',
    payload: scheduleJobSchema,
    defaultJobId: (payload) => scheduleTickJobId(payload.agent_id, payload.scheduled_for),
  }),
  'usage-rollup': defineQueue({
    name: 'usage-rollup',
    description: 'Aggregate usage_records into usage_daily for a day (idempotent recomputation).',
    payload: usageRollupJobSchema,
    // No default id: the same day is rolled up repeatedly while it is still in progress.
  }),
} as const;

export type Queues = typeof queues;
export type QueueName = keyof Queues;
/** What a processor receives (after validation). */
export type JobPayload<Q extends QueueName> = z.output<Queues[Q]['payload']>;
/** What `enqueue` accepts (before validation). */
export type JobPayloadInput<Q extends QueueName> = z.input<Queues[Q]['payload']>;

export const queueNames = Object.keys(queues) as QueueName[];

export function isQueueName(value: string): value is QueueName {
  return Object.hasOwn(queues, value);
}
