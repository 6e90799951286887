'use client';

import type { ExecutionLog, ExecutionStatusValue, ExecutionStep } from '@agentflow/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useAuthStore } from '@/lib/auth-store';
import { useExecutionStream } from '@/lib/execution-stream';
import { getExecution, getVersionDefinition, listApprovals, listLogs, listSteps } from './api';
import { ApprovalForm, type Decision } from './approval-form';
import { CancelExecutionDialog } from './cancel-dialog';
import { describeExecutionError as describeError } from './errors';
import { ExecutionGraph } from './execution-graph';
import {
  activeStatuses,
  formatCost,
  formatDuration,
  formatTime,
  formatTokens,
  StatusBadge,
  stepStatusClass,
  stepStatusLabel,
  triggerName,
} from './format';

/** Refetch steps/logs at most this often while events stream in. */
const REFETCH_THROTTLE_MS = 400;

export function ExecutionDetail({ id }: { id: string }) {
  const orgId = useAuthStore((s) => s.session?.organization.id);
  const queryClient = useQueryClient();
  const stream = useExecutionStream(id);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const execution = useQuery({ queryKey: ['execution', orgId, id], queryFn: () => getExecution(id) });
  const steps = useQuery({ queryKey: ['execution-steps', orgId, id], queryFn: () => listSteps(id) });
  const logs = useQuery({ queryKey: ['execution-logs', orgId, id], queryFn: () => listLogs(id) });
  const run = execution.data;
  const definition = useQuery({
    queryKey: ['agent-version', orgId, run?.agent_id, run?.agent_version],
    queryFn: () => getVersionDefinition(run?.agent_id as string, run?.agent_version as number),
    enabled: !!run && run.agent_version !== null,
    staleTime: Number.POSITIVE_INFINITY, // versions are immutable
  });

  // The stream is the live truth once it has said something; the row fills in before that.
  const status: ExecutionStatusValue | 'connecting' =
    stream.status !== 'connecting' ? stream.status : (run?.status ?? 'connecting');

  const approvals = useQuery({
    queryKey: ['approvals', orgId, { executionId: id }],
    queryFn: () => listApprovals({ executionId: id }),
    enabled: status === 'waiting_approval',
  });

  // Steps, logs and the row's totals follow the events: refetch (throttled) as new ones arrive.
  const lastSeq = stream.events.at(-1)?.seq ?? 0;
  const throttle = useRef<{ timer?: ReturnType<typeof setTimeout>; last: number }>({ last: 0 });
  useEffect(() => {
    if (lastSeq === 0) return;
    const t = throttle.current;
    if (t.timer) return;
    const wait = Math.max(0, t.last + REFETCH_THROTTLE_MS - Date.now());
    t.timer = setTimeout(() => {
      t.timer = undefined;
      t.last = Date.now();
      void queryClient.invalidateQueries({ queryKey: ['execution-steps', orgId, id] });
      void queryClient.invalidateQueries({ queryKey: ['execution-logs', orgId, id] });
    }, wait);
  }, [lastSeq, queryClient, orgId, id]);
  useEffect(() => () => clearTimeout(throttle.current.timer), []);

  useEffect(() => {
    if (stream.status === 'connecting') return;
    // "Stopping…", "Approved: the run continues" are stale once the run has moved on.
    if (!activeStatuses.includes(stream.status)) {
      setNotice(null);
      // The run is over: the final steps and log lines now, not after the throttle.
      void queryClient.invalidateQueries({ queryKey: ['execution-steps', orgId, id] });
      void queryClient.invalidateQueries({ queryKey: ['execution-logs', orgId, id] });
    }
    void queryClient.invalidateQueries({ queryKey: ['execution', orgId, id] });
    void queryClient.invalidateQueries({ queryKey: ['approvals', orgId] });
    void queryClient.invalidateQueries({ queryKey: ['executions', orgId] });
  }, [stream.status, queryClient, orgId, id]);

  if (execution.isPending) {
    return (
      <div aria-busy="true" className="flex flex-col gap-4">
        <p role="status" className="text-slate-500">
          Loading the execution…
        </p>
        <div className="h-24 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
      </div>
    );
  }
  if (execution.isError || !run) {
    return (
      <div className="flex flex-col gap-4">
        <BackLink />
        <div role="alert" className="alert-error flex items-center justify-between gap-3">
          <span>The execution could not be loaded. {describeError(execution.error)}</span>
          <button type="button" className="btn-secondary" onClick={() => void execution.refetch()}>
            Try again
          </button>
        </div>
      </div>
    );
  }

  const cancellable = activeStatuses.includes(status);
  const pending = approvals.data?.data.find((a) => a.status === 'pending');

  return (
    <div className="flex flex-col gap-6">
      <BackLink />
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">
            {run.agent_name}
            {run.agent_version !== null && (
              <span className="ml-2 text-base font-normal text-slate-500 dark:text-slate-400">
                v{run.agent_version}
              </span>
            )}
          </h1>
          <p className="font-mono text-xs text-slate-500 dark:text-slate-400">Execution {run.id}</p>
          <div className="flex flex-wrap items-center gap-2" aria-live="polite">
            <span className="sr-only">Status:</span>
            <StatusBadge status={status} testId="execution-status" />
            <LiveIndicator connected={stream.connected} status={status} />
          </div>
        </div>
        {cancellable && (
          <button type="button" className="btn-danger" onClick={() => setCancelOpen(true)}>
            Cancel execution
          </button>
        )}
      </header>

      {notice && (
        <p
          role="status"
          className="rounded-md border border-slate-200 px-3 py-2 text-sm dark:border-slate-800"
        >
          {notice}
        </p>
      )}
      {stream.error && (
        <p role="alert" className="alert-error">
          {stream.error}
        </p>
      )}

      <dl className="grid grid-cols-2 gap-4 rounded-lg border border-slate-200 p-4 text-sm sm:grid-cols-3 lg:grid-cols-6 dark:border-slate-800">
        <Stat label="Agent">
          <Link
            href={`/agents/${run.agent_id}`}
            className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
          >
            {run.agent_name}
          </Link>
        </Stat>
        <Stat label="Trigger">{triggerName(run.triggered_by)}</Stat>
        <Stat label="Started">{formatTime(run.started_at ?? run.created_at)}</Stat>
        <Stat label="Duration">
          <Elapsed
            startedAt={run.started_at}
            durationMs={run.duration_ms}
            live={status === 'running' || status === 'waiting_approval'}
          />
        </Stat>
        <Stat label="Tokens">{formatTokens(run.total_tokens)}</Stat>
        <Stat label="Cost">{formatCost(run.total_cost)}</Stat>
      </dl>

      {status === 'waiting_approval' && (
        <section
          aria-labelledby="approval-heading"
          data-testid="approval-panel"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/40"
        >
          <h2 id="approval-heading" className="mb-2 text-lg font-medium">
            Waiting for approval
          </h2>
          {approvals.isPending ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">Loading the request…</p>
          ) : approvals.isError ? (
            <p role="alert" className="alert-error">
              {describeError(approvals.error)}
            </p>
          ) : pending ? (
            <ApprovalForm
              key={pending.id}
              approval={pending}
              onDecided={(d: Decision) => {
                setNotice(
                  d === 'approve'
                    ? 'Approved: the run continues.'
                    : 'Rejected: the run continues on its reject path.',
                );
                void approvals.refetch();
              }}
            />
          ) : (
            <p className="text-sm text-slate-700 dark:text-slate-200">
              This run waits for someone allowed to approve it. You are not one of its approvers.
            </p>
          )}
        </section>
      )}

      {run.error && (
        <div role="alert" className="alert-error">
          <strong className="font-medium">{run.error.code}</strong>: {run.error.message}
        </div>
      )}

      <section aria-labelledby="graph-heading" className="flex flex-col gap-2">
        <h2 id="graph-heading" className="text-lg font-medium">
          Graph
        </h2>
        {run.agent_version === null ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">This run has no pinned version.</p>
        ) : definition.isError ? (
          <p role="alert" className="alert-error">
            The graph could not be loaded. {describeError(definition.error)}
          </p>
        ) : definition.data ? (
          <ExecutionGraph definition={definition.data} nodes={stream.nodes} />
        ) : (
          <div className="h-80 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-900" />
        )}
      </section>

      <section aria-labelledby="steps-heading" className="flex flex-col gap-2">
        <h2 id="steps-heading" className="text-lg font-medium">
          Steps
        </h2>
        {steps.isError ? (
          <p role="alert" className="alert-error">
            Steps could not be loaded. {describeError(steps.error)}
          </p>
        ) : !steps.data ? (
          <p className="text-sm text-slate-500">Loading steps…</p>
        ) : steps.data.data.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">No step has started yet.</p>
        ) : (
          <ol className="flex flex-col gap-2" aria-label="Step timeline">
            {steps.data.data.map((step) => (
              <StepItem key={step.id} step={step} />
            ))}
          </ol>
        )}
      </section>

      {run.status === 'completed' && run.output !== null && run.output !== undefined && (
        <section aria-labelledby="output-heading" className="flex flex-col gap-2">
          <h2 id="output-heading" className="text-lg font-medium">
            Output
          </h2>
          <Json value={run.output} label="Execution output" />
        </section>
      )}

      <section aria-labelledby="logs-heading" className="flex flex-col gap-2">
        <h2 id="logs-heading" className="text-lg font-medium">
          Logs
        </h2>
        {logs.isError ? (
          <p role="alert" className="alert-error">
            Logs could not be loaded. {describeError(logs.error)}
          </p>
        ) : !logs.data ? (
          <p className="text-sm text-slate-500">Loading logs…</p>
        ) : logs.data.data.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">No log lines yet.</p>
        ) : (
          <ol
            className="max-h-96 overflow-auto rounded-lg border border-slate-200 bg-slate-50 p-3 font-mono text-xs dark:border-slate-800 dark:bg-slate-900"
            aria-label="Log lines"
            data-testid="execution-logs"
          >
            {logs.data.data.map((line) => (
              <LogLine key={line.id} line={line} />
            ))}
          </ol>
        )}
      </section>

      <CancelExecutionDialog
        executionId={run.id}
        agentName={run.agent_name}
        open={cancelOpen}
        onOpenChange={setCancelOpen}
        onRequested={(stopping) =>
          setNotice(stopping ? 'Stopping the run: it ends within about a second.' : 'The run was cancelled.')
        }
      />
    </div>
  );
}

function BackLink() {
  return (
    <Link href="/executions" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
      ← All executions
    </Link>
  );
}

function LiveIndicator({ connected, status }: { connected: boolean; status: string }) {
  if (!activeStatuses.includes(status)) return null;
  return (
    <span className="inline-flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
      <span
        aria-hidden="true"
        className={`h-2 w-2 rounded-full ${connected ? 'bg-emerald-500' : 'bg-slate-400'}`}
      />
      {connected ? 'Live' : 'Reconnecting…'}
    </span>
  );
}

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

/** The run's duration; ticking while it runs. */
function Elapsed({
  startedAt,
  durationMs,
  live,
}: {
  startedAt: string | null;
  durationMs: number | null;
  live: boolean;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);
  if (durationMs !== null) return <>{formatDuration(durationMs)}</>;
  if (live && startedAt) return <>{formatDuration(Math.max(0, now - Date.parse(startedAt)))}</>;
  return <>—</>;
}

function StepItem({ step }: { step: ExecutionStep }) {
  return (
    <li
      data-testid="step-row"
      data-node={step.node_key}
      data-status={step.status}
      className="rounded-lg border border-slate-200 dark:border-slate-800"
    >
      <details className="group">
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-3 rounded-lg px-4 py-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500">
          <span aria-hidden="true" className="text-slate-400 transition-transform group-open:rotate-90">
            ▸
          </span>
          <span className="font-medium">{step.node_key}</span>
          {step.node_type && (
            <span className="text-xs text-slate-500 dark:text-slate-400">{step.node_type}</span>
          )}
          <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${stepStatusClass(step.status)}`}>
            {stepStatusLabel(step.status)}
          </span>
          {step.attempt > 1 && <span className="text-xs text-slate-500">attempt {step.attempt}</span>}
          <span className="ml-auto flex gap-4 text-xs tabular-nums text-slate-600 dark:text-slate-300">
            <span>{formatDuration(step.duration_ms)}</span>
            <span>{formatTokens(step.tokens_used)} tokens</span>
            <span>{formatCost(step.cost)}</span>
          </span>
        </summary>
        <div className="grid gap-3 border-t border-slate-200 px-4 py-3 md:grid-cols-2 dark:border-slate-800">
          {step.error && (
            <p className="alert-error md:col-span-2" role="note">
              {step.error}
            </p>
          )}
          <div>
            <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Input</h3>
            <Json value={step.input} label={`Input of ${step.node_key}`} />
          </div>
          <div>
            <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Output</h3>
            <Json value={step.output} label={`Output of ${step.node_key}`} />
          </div>
        </div>
      </details>
    </li>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  const text = value === null || value === undefined ? 'null' : JSON.stringify(value, null, 2);
  return (
    <section
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
      tabIndex={0}
      className="max-h-72 overflow-auto rounded-md bg-slate-50 p-3 dark:bg-slate-900"
    >
      <pre className="font-mono text-xs">{text}</pre>
    </section>
  );
}

const levelClass: Record<string, string> = {
  error: 'text-red-700 dark:text-red-400',
  warn: 'text-amber-700 dark:text-amber-400',
  info: 'text-slate-700 dark:text-slate-200',
  debug: 'text-slate-500',
};

function LogLine({ line }: { line: ExecutionLog }) {
  return (
    <li className={`whitespace-pre-wrap py-0.5 ${levelClass[line.level] ?? ''}`}>
      <time dateTime={line.created_at} className="text-slate-500">
        {new Date(line.created_at).toLocaleTimeString()}
      </time>{' '}
      <span className="uppercase">{line.level}</span> {line.message}
    </li>
  );
}
