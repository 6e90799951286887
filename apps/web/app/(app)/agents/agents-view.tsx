'use client';

import type { Agent } from '@agentflow/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useState } from 'react';
import { useAuthStore } from '@/lib/auth-store';
import { describeError } from '@/lib/errors';
import { ArchiveDialog } from './archive-dialog';
import { CreateAgentDialog } from './create-agent-dialog';
import {
  type AgentFilters,
  type AgentStatus,
  agentStatusValues,
  agentTriggerTypes,
  cloneAgent,
  createAgent,
  listAgents,
  setAgentStatus,
  type TriggerType,
} from './queries';

const statusLabel: Record<AgentStatus, string> = {
  draft: 'Draft',
  active: 'Active',
  paused: 'Paused',
  archived: 'Archived',
};
const statusClass: Record<AgentStatus, string> = {
  draft: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  active: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  paused: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  archived: 'bg-slate-200 text-slate-600 dark:bg-slate-800 dark:text-slate-400',
};
const triggerLabel: Record<TriggerType, string> = {
  manual: 'Manual',
  api: 'API',
  webhook: 'Webhook',
  schedule: 'Schedule',
};

export function AgentsView() {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  // Viewers read; the API would refuse their changes anyway (403), so they are not offered.
  const canEdit = useAuthStore((s) => s.session?.role !== 'viewer');
  const queryClient = useQueryClient();
  const [searchInput, setSearchInput] = useState('');
  const [filters, setFilters] = useState<AgentFilters>({ search: '', status: '', trigger: '' });
  const [createOpen, setCreateOpen] = useState(false);
  const [archiving, setArchiving] = useState<Agent | null>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const ids = { search: useId(), status: useId(), trigger: useId() };

  // Search as you type, one request per pause rather than per keystroke.
  useEffect(() => {
    const t = setTimeout(
      () => setFilters((f) => (f.search === searchInput ? f : { ...f, search: searchInput })),
      300,
    );
    return () => clearTimeout(t);
  }, [searchInput]);

  const agents = useInfiniteQuery({
    queryKey: ['agents', orgId, filters],
    queryFn: ({ pageParam }) => listAgents(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['agents'] });
  const clone = useMutation({
    mutationFn: cloneAgent,
    onSuccess: (copy) => {
      setNotice({ kind: 'info', text: `Created “${copy.name}”.` });
      void refresh();
    },
    onError: (err) => setNotice({ kind: 'error', text: describeError(err) }),
  });
  // First visit: the starter agent in one click (trigger -> AI on the offline echo model -> output).
  const starter = useMutation({
    mutationFn: () =>
      createAgent({
        name: 'Starter agent',
        description: 'Echoes its input through the offline echo model: runs without any API key.',
        template: 'starter',
      }),
    onSuccess: (agent) => {
      setNotice({ kind: 'info', text: `Created “${agent.name}”. Open it to see its graph and run it.` });
      void refresh();
    },
    onError: (err) => setNotice({ kind: 'error', text: describeError(err) }),
  });
  const toggle = useMutation({
    mutationFn: ({ agent, status }: { agent: Agent; status: 'active' | 'paused' }) =>
      setAgentStatus(agent, status),
    onSuccess: (agent) => {
      setNotice({ kind: 'info', text: `“${agent.name}” is now ${statusLabel[agent.status].toLowerCase()}.` });
      void refresh();
    },
    onError: (err) => setNotice({ kind: 'error', text: describeError(err) }),
  });

  const filtered = filters.search !== '' || filters.status !== '' || filters.trigger !== '';
  const nextPageError = agents.error;
  const rows = agents.data?.pages.flatMap((p) => p.data) ?? [];
  const busyId = (clone.isPending && clone.variables?.id) || (toggle.isPending && toggle.variables?.agent.id);

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Agents</h1>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Graphs of AI steps your organization runs.
          </p>
        </div>
        {canEdit && (
          <button type="button" className="btn" onClick={() => setCreateOpen(true)}>
            New agent
          </button>
        )}
      </div>

      <search className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr]">
        <div>
          <label htmlFor={ids.search} className="label">
            Search
          </label>
          <input
            id={ids.search}
            type="search"
            className="input"
            placeholder="Name or description"
            value={searchInput}
            onChange={(e) => setSearchInput(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor={ids.status} className="label">
            Status
          </label>
          <select
            id={ids.status}
            className="input"
            value={filters.status}
            onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as AgentStatus | '' }))}
          >
            <option value="">All but archived</option>
            {agentStatusValues.map((s) => (
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
            onChange={(e) => setFilters((f) => ({ ...f, trigger: e.target.value as TriggerType | '' }))}
          >
            <option value="">Any trigger</option>
            {agentTriggerTypes.map((t) => (
              <option key={t} value={t}>
                {triggerLabel[t]}
              </option>
            ))}
          </select>
        </div>
      </search>

      <div aria-live="polite">
        {notice && (
          <div
            role={notice.kind === 'error' ? 'alert' : 'status'}
            className={
              notice.kind === 'error'
                ? 'alert-error flex items-start justify-between gap-3'
                : 'flex items-start justify-between gap-3 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200'
            }
          >
            <span>{notice.text}</span>
            <button
              type="button"
              className="btn-ghost"
              aria-label="Dismiss message"
              onClick={() => setNotice(null)}
            >
              Dismiss
            </button>
          </div>
        )}
      </div>

      {agents.isPending ? (
        <ul aria-busy="true" aria-label="Loading agents" className="flex flex-col gap-3">
          {[0, 1, 2].map((i) => (
            <li key={i} className="h-20 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
          ))}
        </ul>
      ) : agents.isError ? (
        <div role="alert" className="alert-error flex items-center justify-between gap-3">
          <span>Agents could not be loaded. {describeError(agents.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void agents.refetch()}>
            Try again
          </button>
        </div>
      ) : rows.length === 0 ? (
        <div
          data-testid="agents-empty"
          className="flex flex-col items-center gap-3 rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700"
        >
          {filtered ? (
            <>
              <h2 className="text-lg font-medium">No agents match these filters</h2>
              <button
                type="button"
                className="btn-secondary"
                onClick={() => {
                  setSearchInput('');
                  setFilters({ search: '', status: '', trigger: '' });
                }}
              >
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h2 className="text-lg font-medium">No agents yet</h2>
              {canEdit ? (
                <>
                  <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                    The starter agent is a trigger, an AI step on the offline echo model and an output: it
                    runs right away, no API key needed. Or start from a blank graph.
                  </p>
                  <div className="flex flex-wrap justify-center gap-3">
                    <button
                      type="button"
                      className="btn"
                      disabled={starter.isPending}
                      onClick={() => starter.mutate()}
                    >
                      {starter.isPending ? 'Creating the starter agent…' : 'Create the starter agent'}
                    </button>
                    <button type="button" className="btn-secondary" onClick={() => setCreateOpen(true)}>
                      Start from scratch…
                    </button>
                  </div>
                </>
              ) : (
                <p className="max-w-md text-sm text-slate-600 dark:text-slate-300">
                  Nobody has built an agent in this organization yet. As a viewer you can see them here once
                  an editor creates one.
                </p>
              )}
            </>
          )}
        </div>
      ) : (
        <>
          <ul aria-label="Agents" className="flex flex-col gap-3">
            {rows.map((agent) => (
              <li
                key={agent.id}
                data-testid="agent-row"
                className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 px-4 py-3 dark:border-slate-800"
              >
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="truncate font-medium">
                      <Link
                        href={`/agents/${agent.id}`}
                        className="hover:underline"
                        aria-label={`Open ${agent.name} in the builder`}
                      >
                        {agent.name}
                      </Link>
                    </h2>
                    <span
                      className={`rounded-full px-2 py-0.5 text-xs font-medium ${statusClass[agent.status]}`}
                    >
                      {statusLabel[agent.status]}
                    </span>
                    {agent.trigger_type && (
                      <span className="rounded-full border border-slate-200 px-2 py-0.5 text-xs text-slate-600 dark:border-slate-700 dark:text-slate-300">
                        {triggerLabel[agent.trigger_type]}
                      </span>
                    )}
                  </div>
                  <p className="truncate text-sm text-slate-600 dark:text-slate-300">
                    {agent.description || 'No description'}
                  </p>
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    {agent.published_version
                      ? `Published v${agent.published_version.version}`
                      : 'Not published'}{' '}
                    · updated {new Date(agent.updated_at).toLocaleString()}
                  </p>
                </div>
                <div className={canEdit ? 'flex flex-wrap gap-2' : 'hidden'}>
                  {agent.status === 'active' && (
                    <button
                      type="button"
                      className="btn-secondary"
                      disabled={busyId === agent.id}
                      aria-label={`Pause ${agent.name}`}
                      onClick={() => toggle.mutate({ agent, status: 'paused' })}
                    >
                      Pause
                    </button>
                  )}
                  {/* Activating needs a published version (the API answers 409 otherwise). */}
                  {(agent.status === 'paused' || agent.status === 'draft') && agent.published_version && (
                    <button
                      type="button"
                      className="btn-secondary"
                      disabled={busyId === agent.id}
                      aria-label={`Activate ${agent.name}`}
                      onClick={() => toggle.mutate({ agent, status: 'active' })}
                    >
                      Activate
                    </button>
                  )}
                  <button
                    type="button"
                    className="btn-secondary"
                    disabled={busyId === agent.id}
                    aria-label={`Clone ${agent.name}`}
                    onClick={() => clone.mutate(agent)}
                  >
                    Clone
                  </button>
                  {agent.status !== 'archived' && (
                    <button
                      type="button"
                      className="btn-secondary text-red-700 dark:text-red-400"
                      aria-label={`Archive ${agent.name}`}
                      onClick={() => setArchiving(agent)}
                    >
                      Archive
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
          {agents.hasNextPage && (
            <div className="flex justify-center">
              <button
                type="button"
                className="btn-secondary"
                disabled={agents.isFetchingNextPage}
                onClick={() => void agents.fetchNextPage()}
              >
                {agents.isFetchingNextPage ? 'Loading more…' : 'Load more'}
              </button>
            </div>
          )}
          {agents.isFetchNextPageError && (
            <p role="alert" className="alert-error">
              More agents could not be loaded. {describeError(nextPageError)}
            </p>
          )}
        </>
      )}

      <CreateAgentDialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        onCreated={(agent) => {
          setNotice({ kind: 'info', text: `Created “${agent.name}”.` });
          void refresh();
        }}
      />
      <ArchiveDialog
        agent={archiving}
        onClose={() => setArchiving(null)}
        onArchived={(agent) => {
          setNotice({ kind: 'info', text: `Archived “${agent.name}”.` });
          void refresh();
        }}
      />
    </div>
  );
}
