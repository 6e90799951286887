'use client';

import type { Agent } from '@agentflow/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ListToolbar, optionsOf, SearchField, SelectFilter } from '@/components/list/list-toolbar';
import { EmptyState, NoMatches, PagedList } from '@/components/list/paged-list';
import { useDebouncedSearch } from '@/components/list/use-debounced-search';
import { usePagedList } from '@/components/list/use-paged-list';
import { Notice, useNotice } from '@/components/notice';
import { useAuthStore } from '@/lib/auth-store';
import { describeError } from '@/lib/errors';
import { ArchiveDialog } from './archive-dialog';
import { CreateAgentDialog } from './create-agent-dialog';
import {
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
  const search = useDebouncedSearch();
  const [status, setStatus] = useState<AgentStatus | ''>('');
  const [trigger, setTrigger] = useState<TriggerType | ''>('');
  const [createOpen, setCreateOpen] = useState(false);
  const [archiving, setArchiving] = useState<Agent | null>(null);
  const notice = useNotice();

  const filters = { search: search.term, status, trigger };
  const { list: agents, rows } = usePagedList({
    queryKey: ['agents', orgId, filters],
    fetchPage: (cursor) => listAgents(filters, cursor),
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['agents'] });
  const onError = (err: unknown) => notice.error(describeError(err));
  const clone = useMutation({
    mutationFn: cloneAgent,
    onSuccess: (copy) => {
      notice.info(`Created “${copy.name}”.`);
      void refresh();
    },
    onError,
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
      notice.info(`Created “${agent.name}”. Open it to see its graph and run it.`);
      void refresh();
    },
    onError,
  });
  const toggle = useMutation({
    mutationFn: ({ agent, status }: { agent: Agent; status: 'active' | 'paused' }) =>
      setAgentStatus(agent, status),
    onSuccess: (agent) => {
      notice.info(`“${agent.name}” is now ${statusLabel[agent.status].toLowerCase()}.`);
      void refresh();
    },
    onError,
  });

  const filtered = search.term !== '' || status !== '' || trigger !== '';
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

      <ListToolbar className="sm:grid-cols-[2fr_1fr_1fr]">
        <SearchField value={search.input} onChange={search.setInput} placeholder="Name or description" />
        <SelectFilter
          label="Status"
          anyLabel="All but archived"
          value={status}
          options={optionsOf(agentStatusValues, statusLabel)}
          onChange={setStatus}
        />
        <SelectFilter
          label="Trigger"
          anyLabel="Any trigger"
          value={trigger}
          options={optionsOf(agentTriggerTypes, triggerLabel)}
          onChange={setTrigger}
        />
      </ListToolbar>

      <Notice notice={notice.notice} onDismiss={notice.dismiss} />

      <PagedList
        list={agents}
        count={rows.length}
        noun="agents"
        describeError={describeError}
        empty={
          <EmptyState testId="agents-empty">
            {filtered ? (
              <NoMatches
                noun="agents"
                onClear={() => {
                  search.clear();
                  setStatus('');
                  setTrigger('');
                }}
              />
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
          </EmptyState>
        }
      >
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
      </PagedList>

      <CreateAgentDialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        onCreated={(agent) => {
          notice.info(`Created “${agent.name}”.`);
          void refresh();
        }}
      />
      <ArchiveDialog
        agent={archiving}
        onClose={() => setArchiving(null)}
        onArchived={(agent) => {
          notice.info(`Archived “${agent.name}”.`);
          void refresh();
        }}
      />
    </div>
  );
}
