import type { ExecutionEventType } from '@agentflow/contracts';
import type { Db } from '@agentflow/db';
import { executionEvents, executionLogs } from '@agentflow/db/schema';
import { eq, sql } from 'drizzle-orm';
import { type EventPublisher, executionEventChannel } from './recorder';

type StoredEvent = typeof executionEvents.$inferSelect;

export interface PendingEvent {
  type: ExecutionEventType;
  payload: Record<string, unknown>;
}

/**
 * Appends events to an execution that no process is running right now (cancel of a pending run, an
 * approval decision, the reaper taking over an expired lease). The caller holds the execution row
 * (`FOR UPDATE` or a compare-and-swap in the same transaction), so no recorder writes concurrently;
 * the (execution_id, seq) unique constraint backs that up. A `log` event also gets its log line.
 */
export async function appendExecutionEvents(
  tx: Db,
  ids: { orgId: string; executionId: string },
  events: PendingEvent[],
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const [last] = await tx
    .select({ seq: sql<number>`coalesce(max(${executionEvents.seq}), 0)` })
    .from(executionEvents)
    .where(eq(executionEvents.executionId, ids.executionId));
  const base = Number(last?.seq ?? 0);
  const logs = events.filter((e) => e.type === 'log');
  if (logs.length) {
    await tx.insert(executionLogs).values(
      logs.map((e) => ({
        orgId: ids.orgId,
        executionId: ids.executionId,
        level: String(e.payload.level ?? 'info'),
        message: String(e.payload.message ?? ''),
        data: e.payload.data ?? null,
      })),
    );
  }
  return tx
    .insert(executionEvents)
    .values(
      events.map((e, i) => ({
        orgId: ids.orgId,
        executionId: ids.executionId,
        seq: base + i + 1,
        type: e.type,
        payload: e.payload,
      })),
    )
    .returning();
}

/** The wire form of a stored event: what the bus carries and the WebSocket stream sends. */
export function eventMessage(row: StoredEvent): string {
  return JSON.stringify({
    execution_id: row.executionId,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    created_at: row.createdAt.toISOString(),
  });
}

/**
 * Publishes stored events after their transaction committed. Pub/sub is at most once anyway. Every
 * publish is issued at once, in seq order: one connection (Redis) or one bus keeps that order, and
 * the caller is not held up by a round trip per event.
 */
export async function publishStoredEvents(
  events: EventPublisher | undefined,
  rows: StoredEvent[],
  onError?: (error: unknown) => void,
): Promise<void> {
  if (!events) return;
  await Promise.all(
    [...rows]
      .sort((a, b) => a.seq - b.seq)
      .map((row) =>
        events
          .publish(executionEventChannel(row.executionId), eventMessage(row))
          .catch((error) => onError?.(error)),
      ),
  );
}
