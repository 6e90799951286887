'use client';

import type { ExecutionStatusValue, ExecutionTrigger } from '@agentflow/contracts';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useMemo } from 'react';
import { type Column, DataTable } from '@/components/list/data-table';
import { ListToolbar, optionsOf, SelectFilter } from '@/components/list/list-toolbar';
import { EmptyState, NoMatches, PagedList } from '@/components/list/paged-list';
import { usePagedList } from '@/components/list/use-paged-list';
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
const columns: Column[] = [
  { label: 'Agent' },
  { label: 'Status' },
  { label: 'Trigger' },
  { label: 'Started' },
  { label: 'Duration', numeric: true },
  { label: 'Tokens', numeric: true },
  { label: 'Cost', numeric: true },
];

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
  const ids = { from: useId(), to: useId() };

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
  const { list: executions, rows } = usePagedList({
    queryKey: ['executions', orgId, filters],
    fetchPage: (cursor) => listExecutions(filters, cursor),
    // Runs move on by themselves: keep the loaded pages fresh while the tab is open.
    refetchInterval: 10_000,
  });
  const agentOptions = useMemo(
    () =>
      (agents.data ?? []).map((a) => ({
        value: a.id,
        label: a.status === 'archived' ? `${a.name} (archived)` : a.name,
      })),
    [agents.data],
  );
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

      <ListToolbar className="sm:grid-cols-2 lg:grid-cols-5" label="Filter executions">
        <SelectFilter
          label="Agent"
          anyLabel="All agents"
          value={filters.agent}
          options={agentOptions}
          onChange={(v) => setFilter('agent', v)}
        />
        <SelectFilter
          label="Status"
          anyLabel="Any status"
          value={filters.status}
          options={optionsOf(executionStatusValues, statusLabel)}
          onChange={(v) => setFilter('status', v)}
        />
        <SelectFilter
          label="Trigger"
          anyLabel="Any trigger"
          value={filters.trigger}
          options={optionsOf(executionTriggerValues, triggerLabel)}
          onChange={(v) => setFilter('trigger', v)}
        />
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
      </ListToolbar>

      <PagedList
        list={executions}
        count={rows.length}
        noun="executions"
        describeError={describeError}
        skeleton={{ rows: 4, className: 'h-14' }}
        empty={
          <EmptyState testId="executions-empty">
            {filtered ? (
              <NoMatches noun="executions" onClear={() => router.replace(pathname)} />
            ) : (
              <>
                <h2 className="text-lg font-medium">No executions yet</h2>
                <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                  Runs appear here when an active agent is triggered: manually, through the API, a webhook or
                  a schedule.
                </p>
                <Link href="/agents" className="btn-secondary">
                  Go to agents
                </Link>
              </>
            )}
          </EmptyState>
        }
      >
        <DataTable caption="Executions, newest first" columns={columns}>
          {rows.map((e) => (
            <tr key={e.id} data-testid="execution-row" className="hover:bg-slate-50 dark:hover:bg-slate-900">
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
              <td className="px-4 py-2 whitespace-nowrap">{formatTime(e.started_at ?? e.created_at)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatDuration(e.duration_ms)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatTokens(e.total_tokens)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatCost(e.total_cost)}</td>
            </tr>
          ))}
        </DataTable>
      </PagedList>
    </div>
  );
}
