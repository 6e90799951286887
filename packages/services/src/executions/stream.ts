import { type ExecutionEvent, isTerminalExecutionStatus } from '@agentflow/contracts';
import { executionEvents } from '@agentflow/db/schema';
import { and, asc, eq, gt } from 'drizzle-orm';
import { inOrg, type ServiceContext } from '../context';
import { getExecutionRow, toEvent } from './present';

export interface ExecutionEventsPage {
  /** Stored events with seq > after, in seq order, at most `limit`. */
  events: ExecutionEvent[];
  /**
   * The execution had ended (completed, failed, cancelled, timed out) before the events were read, so
   * `events` plus the earlier pages hold everything it will ever emit: once a page comes back shorter
   * than `limit`, a stream can close.
   */
  ended: boolean;
}

/**
 * One page of the replay a live stream sends before it goes live (and re-reads to fill a gap). The
 * status is read before the events: the terminal status and the terminal event commit together, so a
 * status read as ended guarantees the event read after it sees every event. Another org's (or an
 * unknown) execution is EXECUTION_NOT_FOUND.
 */
export async function readExecutionEventsPage(
  ctx: ServiceContext,
  id: string,
  after: number,
  limit: number,
): Promise<ExecutionEventsPage> {
  return inOrg(ctx, async (tx) => {
    const execution = await getExecutionRow(tx, ctx, id);
    const rows = await tx
      .select()
      .from(executionEvents)
      .where(
        and(
          eq(executionEvents.executionId, id),
          eq(executionEvents.orgId, ctx.orgId),
          gt(executionEvents.seq, after),
        ),
      )
      .orderBy(asc(executionEvents.seq))
      .limit(limit);
    return { events: rows.map(toEvent), ended: isTerminalExecutionStatus(execution.status) };
  });
}
