import type { ExecutionStatusValue, ExecutionTrigger } from '@agentflow/contracts';
import type { NodeRunStatus } from '@/lib/execution-stream';

export const statusLabel: Record<ExecutionStatusValue | 'connecting', string> = {
  connecting: 'Connecting',
  pending: 'Pending',
  running: 'Running',
  waiting_approval: 'Waiting for approval',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
};

const statusClass: Record<ExecutionStatusValue | 'connecting', string> = {
  connecting: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  pending: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  waiting_approval: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  completed: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  cancelled: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  timed_out: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
};

export const triggerLabel: Record<ExecutionTrigger, string> = {
  manual: 'Manual',
  api: 'API',
  sdk: 'SDK',
  webhook: 'Webhook',
  schedule: 'Schedule',
};

export function triggerName(trigger: string | null): string {
  if (!trigger) return 'Unknown';
  return triggerLabel[trigger as ExecutionTrigger] ?? trigger;
}

export function StatusBadge({
  status,
  testId,
}: {
  status: ExecutionStatusValue | 'connecting';
  testId?: string;
}) {
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${statusClass[status]}`}
    >
      {statusLabel[status]}
    </span>
  );
}

export const nodeStatusLabel: Record<NodeRunStatus | 'idle', string> = {
  idle: 'Not run',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  waiting: 'Waiting',
};

/** Step rows say `completed`, `failed`, `running`, `pending` (a paused human step) or `skipped`. */
export function stepStatusLabel(status: string): string {
  const labels: Record<string, string> = {
    running: 'Running',
    completed: 'Completed',
    failed: 'Failed',
    pending: 'Waiting',
    skipped: 'Skipped',
  };
  return labels[status] ?? status;
}

export function stepStatusClass(status: string): string {
  switch (status) {
    case 'completed':
      return 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300';
    case 'failed':
      return 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300';
    case 'running':
      return 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300';
    case 'pending':
      return 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300';
    default:
      return 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200';
  }
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatCost(cost: number): string {
  if (cost === 0) return '$0';
  if (cost < 0.01) return `$${cost.toFixed(6).replace(/0+$/, '')}`;
  return `$${cost.toFixed(4)}`;
}

export function formatTokens(tokens: number): string {
  return tokens.toLocaleString();
}

export function formatTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export const activeStatuses: readonly string[] = ['pending', 'running', 'waiting_approval'];
