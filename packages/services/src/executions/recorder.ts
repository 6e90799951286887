import type { ExecutionEventType } from '@agentflow/contracts';
import { type Db, withOrg } from '@agentflow/db';
import { executionEvents, executionLogs } from '@agentflow/db/schema';
import { publishStoredEvents } from './append';

/** Where stored events are also published live (structurally an `EventBus` of `@agentflow/queue`). */
export interface EventPublisher {
  publish(channel: string, message: string): Promise<void>;
}

/** Same as `executionChannel` in `@agentflow/queue`. */
export const executionEventChannel = (executionId: string) => `execution:${executionId}`;

export type Emit = (type: ExecutionEventType, payload: Record<string, unknown>) => void;
export type LogLine = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  data?: Record<string, unknown>,
  stepId?: string | null,
) => void;

interface RecorderOptions {
  db: Db;
  orgId: string;
  executionId: string;
  /** Highest seq already stored for this execution (0 for a first run). */
  lastSeq: number;
  events?: EventPublisher | undefined;
  onPublishError?: (error: unknown) => void;
}

/**
 * The single writer of one execution's rows while this process holds its lease. Writes run one at a
 * time, in call order, each in its own org-scoped transaction together with the events it emits; the
 * seq counter advances only when that transaction commits, so stored events are gap-free, unique
 * (also enforced by the (execution_id, seq) constraint) and in the order they happened. Events are
 * published after the commit: a live subscriber never sees an event that is not stored.
 */
export function createRecorder(options: RecorderOptions) {
  let seq = options.lastSeq;
  let chain: Promise<unknown> = Promise.resolve();

  async function transact<T>(work: (tx: Db, emit: Emit, log: LogLine) => Promise<T>): Promise<T> {
    const pending: Array<{ type: ExecutionEventType; payload: Record<string, unknown> }> = [];
    const logs: Array<{ level: string; message: string; data: unknown; stepId: string | null }> = [];
    const emit: Emit = (type, payload) => pending.push({ type, payload });
    const log: LogLine = (level, message, data, stepId) => {
      logs.push({ level, message, data: data ?? null, stepId: stepId ?? null });
      pending.push({ type: 'log', payload: { level, message, ...(stepId ? { step_id: stepId } : {}) } });
    };
    const base = seq;
    const { result, stored } = await withOrg(options.db, options.orgId, async (tx) => {
      const result = await work(tx, emit, log);
      if (logs.length) {
        await tx.insert(executionLogs).values(
          logs.map((l) => ({
            orgId: options.orgId,
            executionId: options.executionId,
            stepId: l.stepId,
            level: l.level,
            message: l.message,
            data: l.data,
          })),
        );
      }
      const stored = pending.length
        ? await tx
            .insert(executionEvents)
            .values(
              pending.map((e, i) => ({
                orgId: options.orgId,
                executionId: options.executionId,
                seq: base + i + 1,
                type: e.type,
                payload: e.payload,
              })),
            )
            .returning()
        : [];
      return { result, stored };
    });
    seq = base + stored.length;
    await publishStoredEvents(options.events, stored, options.onPublishError);
    return result;
  }

  return {
    /** Queues `work` behind every earlier write; resolves (or rejects) with its own outcome. */
    write<T>(work: (tx: Db, emit: Emit, log: LogLine) => Promise<T>): Promise<T> {
      const next = chain.then(() => transact(work));
      chain = next.catch(() => {});
      return next;
    },
    /** Resolves when every queued write has settled. */
    idle: () => chain,
    get seq() {
      return seq;
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
