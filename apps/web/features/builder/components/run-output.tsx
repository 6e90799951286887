'use client';

import type { RunNodeState } from '../store';

const statusText: Record<RunNodeState['status'], string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  waiting: 'Waiting for approval',
};

function show(value: unknown): string {
  if (value === undefined) return '—';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** A node's status and output (or error) from the last test or run. */
export function RunOutput({ state }: { state: RunNodeState }) {
  return (
    <div className="flex flex-col gap-1" data-testid="run-output">
      <p className="text-sm">
        Status: <strong>{statusText[state.status]}</strong>
      </p>
      {state.error !== undefined && state.error !== null && (
        <pre className="alert-error max-h-40 overflow-auto whitespace-pre-wrap text-xs">
          {show(state.error)}
        </pre>
      )}
      <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded-md bg-slate-100 p-2 text-xs dark:bg-slate-800">
        {show(state.output)}
      </pre>
    </div>
  );
}
