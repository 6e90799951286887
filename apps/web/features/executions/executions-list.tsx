'use client';

import type { ExecutionStatusValue, ExecutionTrigger } from '@agentflow/contracts';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useMemo } from 'react';
import { useAuthStore } from '@/lib/auth-store';
import {
  type ExecutionFilters,
  emptyFilters,
  executionStatusValues,
  executionTriggerValues,
  listAgentOptions,
  listExecutions,
} from './api';
import { describeExecutionError as describeError } from './errors';
import {
  formatCost,
  formatDuration,
  formatTime,
  formatTokens,
  StatusBadge,
  statusLabel,
  triggerLabel,
  triggerName,
} from './format';

const day = /^\d{4}-\d{2}-\d{2}$/;

function filtersFrom(params: URLSearchParams): ExecutionFilters {
  const status = params.get('status') ?? '';
  const trigger = params.get('trigger') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    agent: params.get('agent') ?? '',
    status: (executionStatusValues as readonly string[]).includes(status)
      ? (status as ExecutionStatusValue)
      : '',
    trigger: (executionTriggerValues as readonly string[]).includes(trigger)
      ? (trigger as ExecutionTrigger)
      : '',
    from: day.test(from) ? from : '',
    to: day.test(to) ? to : '',
  };
}

/** Runs of the organization, newest first; the filters live in the URL so a filtered list can be shared. */
export function ExecutionsList() {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = useMemo(() => filtersFrom(new URLSearchParams(params.toString())), [params]);
  const ids = { agent: useId(), status: useId(), trigger: useId(), from: useId(), to: useId() };

  const setFilter = (key: keyof ExecutionFilters, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  };

  const agents = useQuery({
    queryKey: ['agent-options', orgId],
    queryFn: listAgentOptions,
    staleTime: 60_000,
  });
  const executions = useInfiniteQuery({
    queryKey: ['executions', orgId, filters],
    queryFn: ({ pageParam }) => listExecutions(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Runs move on by themselves: keep the first page fresh while the tab is open.
    refetchInterval: 10_000,
  });

  const rows = executions.data?.pages.flatMap((p) => p.data) ?? [];
  const listError = executions.error;
  const filtered = Object.entries(filters).some(([k, v]) => v !== emptyFilters[k as keyof ExecutionFilters]);
  const rangeInvalid = filters.from !== '' && filters.to !== '' && filters.from > filters.to;

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Executions</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Every run of your organization&apos;s agents, newest first.
        </p>
      </div>

      <search className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filter executions">
        <div>
          <label htmlFor={ids.agent} className="label">
            Agent
          </label>
          <select
            id={ids.agent}
            className="input"
            value={filters.agent}
            onChange={(e) => setFilter('agent', e.target.value)}
          >
            <option value="">All agents</option>
            {agents.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
                {a.status === 'archived' ? ' (archived)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.status} className="label">
            Status
          </label>
          <select
            id={ids.status}
            className="input"
            value={filters.status}
            onChange={(e) => setFilter('status', e.target.value)}
          >
            <option value="">Any status</option>
            {executionStatusValues.map((s) => (
              <option key={s} value={s}>
                {statusLabel[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.trigger} className="label">
            Trigger
          </label>
          <select
            id={ids.trigger}
            className="input"
            value={filters.trigger}
            onChange={(e) => setFilter('trigger', e.target.value)}
          >
            <option value="">Any trigger</option>
            {executionTriggerValues.map((t) => (
              <option key={t} value={t}>
                {triggerLabel[t]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={ids.from} className="label">
            From
          </label>
          <input
            id={ids.from}
            type="date"
            className="input"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => setFilter('from', e.target.value)}
          />
        </div>
        <div>
          <label htmlFor={ids.to} className="label">
            To
          </label>
          <input
            id={ids.to}
            type="date"
            className="input"
            value={filters.to}
            min={filters.from || undefined}
            aria-invalid={rangeInvalid || undefined}
            aria-describedby={rangeInvalid ? `${ids.to}-error` : undefined}
            onChange={(e) => setFilter('to', e.target.value)}
          />
          {rangeInvalid && (
            <p id={`${ids.to}-error`} className="field-error">
              To must be on or after From
            </p>
          )}
        </div>
      </search>

      {executions.isPending ? (
        <ul aria-busy="true" aria-label="Loading executions" className="flex flex-col gap-2">
          {[0, 1, 2, 3].map((i) => (
            <li key={i} className="h-14 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
          ))}
        </ul>
      ) : executions.isError ? (
        <div role="alert" className="alert-error flex items-center justify-between gap-3">
          <span>Executions could not be loaded. {describeError(executions.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void executions.refetch()}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        <div
          data-testid="executions-empty"
          className="flex flex-col items-center gap-3 rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700"
        >
          {filtered ? (
            <>
              <h2 className="text-lg font-medium">No executions match these filters</h2>
              <button type="button" className="btn-secondary" onClick={() => router.replace(pathname)}>
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h2 className="text-lg font-medium">No executions yet</h2>
              <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                Runs appear here when an active agent is triggered: manually, through the API, a webhook or a
                schedule.
              </p>
              <Link href="/agents" className="btn-secondary">
                Go to agents
              </Link>
            </>
          )}
        </div>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Executions, newest first</caption>
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Agent
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Trigger
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Started
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Duration
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Tokens
                  </th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">
                    Cost
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {rows.map((e) => (
                  <tr
                    key={e.id}
                    data-testid="execution-row"
                    className="hover:bg-slate-50 dark:hover:bg-slate-900"
                  >
                    <td className="px-4 py-2">
                      <Link
                        href={`/executions/${e.id}`}
                        className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                      >
                        {e.agent_name}
                        {e.agent_version !== null && (
                          <span className="ml-1 text-xs font-normal text-slate-500 dark:text-slate-400">
                            v{e.agent_version}
                          </span>
                        )}
                        <span className="sr-only">, run {e.id.slice(0, 8)}</span>
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <StatusBadge status={e.status} />
                    </td>
                    <td className="px-4 py-2">{triggerName(e.triggered_by)}</td>
                    <td className="px-4 py-2 whitespace-nowrap">
                      {formatTime(e.started_at ?? e.created_at)}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{formatDuration(e.duration_ms)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{formatTokens(e.total_tokens)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{formatCost(e.total_cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {executions.hasNextPage && (
            <div className="flex justify-center">
              <button
                type="button"
                className="btn-secondary"
                disabled={executions.isFetchingNextPage}
                onClick={() => void executions.fetchNextPage()}
              >
                {executions.isFetchingNextPage ? 'Loading more…' : 'Load more'}
              </button>
            </div>
          )}
          {executions.isFetchNextPageError && (
            <p role="alert" className="alert-error">
              More executions could not be loaded. {describeError(listError)}
            </p>
          )}
        </>
      )}
    </div>
  );
}
