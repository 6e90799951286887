'use client';

import type { Approval } from '@agentflow/contracts';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useAuthStore } from '@/lib/auth-store';
import { listApprovals } from './api';
import { ApprovalForm, type Decision } from './approval-form';
import { describeExecutionError as describeError } from './errors';

interface Decided {
  approval: Approval;
  decision: Decision;
}

/** Pending approvals the caller may decide; deciding one links to its run to watch it continue. */
export function ApprovalsInbox() {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  const queryClient = useQueryClient();
  const [decided, setDecided] = useState<Decided[]>([]);
  const approvals = useInfiniteQuery({
    queryKey: ['approvals', orgId, 'inbox'],
    queryFn: ({ pageParam }) => listApprovals({ cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 15_000,
  });
  const decidedIds = new Set(decided.map((d) => d.approval.id));
  const rows = (approvals.data?.pages.flatMap((p) => p.data) ?? []).filter(
    (a) => a.status === 'pending' && !decidedIds.has(a.id),
  );

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Approvals</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Runs paused on a human step that you may approve or reject.
        </p>
      </div>

      {decided.length > 0 && (
        <section aria-labelledby="decided-heading" className="flex flex-col gap-2">
          <h2 id="decided-heading" className="sr-only">
            Decided just now
          </h2>
          <ul className="flex flex-col gap-2" aria-live="polite">
            {decided.map(({ approval, decision }) => (
              <li
                key={approval.id}
                role="status"
                data-testid="approval-decided"
                className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
              >
                <span>
                  {decision === 'approve' ? 'Approved' : 'Rejected'} “{approval.message}” (
                  {approval.agent_name}
                  ). The run continues.
                </span>
                <Link href={`/executions/${approval.execution_id}`} className="btn-secondary">
                  Watch the run
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}

      {approvals.isPending ? (
        <ul aria-busy="true" aria-label="Loading approvals" className="flex flex-col gap-3">
          {[0, 1].map((i) => (
            <li key={i} className="h-32 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
          ))}
        </ul>
      ) : approvals.isError ? (
        <div role="alert" className="alert-error flex items-center justify-between gap-3">
          <span>Approvals could not be loaded. {describeError(approvals.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void approvals.refetch()}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        <div
          data-testid="approvals-empty"
          className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700"
        >
          <h2 className="text-lg font-medium">Nothing waits for you</h2>
          <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
            When a run reaches a human approval step you may decide, it shows up here.
          </p>
        </div>
      ) : (
        <>
          <ul aria-label="Pending approvals" className="flex flex-col gap-3">
            {rows.map((approval) => (
              <li
                key={approval.id}
                data-testid="approval-row"
                className="flex flex-col gap-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <h2 className="font-medium">
                    {approval.agent_name}{' '}
                    <span className="text-sm font-normal text-slate-500 dark:text-slate-400">
                      step {approval.node_id}
                    </span>
                  </h2>
                  <Link
                    href={`/executions/${approval.execution_id}`}
                    className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    Open the run<span className="sr-only"> of {approval.agent_name}</span>
                  </Link>
                </div>
                <ApprovalForm
                  approval={approval}
                  onDecided={(decision) => {
                    setDecided((d) => [{ approval, decision }, ...d]);
                    void queryClient.invalidateQueries({ queryKey: ['approvals', orgId] });
                    void queryClient.invalidateQueries({ queryKey: ['executions', orgId] });
                  }}
                />
              </li>
            ))}
          </ul>
          {approvals.hasNextPage && (
            <div className="flex justify-center">
              <button
                type="button"
                className="btn-secondary"
                disabled={approvals.isFetchingNextPage}
                onClick={() => void approvals.fetchNextPage()}
              >
                {approvals.isFetchingNextPage ? 'Loading more…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
