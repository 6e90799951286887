'use client';

import type { Readiness } from '@agentflow/contracts';
import { AgentFlowClient, AgentFlowError } from '@agentflow/sdk';
import { useEffect, useState } from 'react';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; readiness: Readiness }
  | { kind: 'error'; message: string };

const client = new AgentFlowClient({ baseUrl: '' });

/** Shows whether the API and its dependencies answer: the first thing a newcomer needs to know. */
export function SystemStatus() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    let cancelled = false;
    client
      .readiness()
      .then((readiness) => !cancelled && setState({ kind: 'ready', readiness }))
      .catch((err: unknown) => {
        if (cancelled) return;
        // A proxy error or no answer at all means the API process is down, not that it refused us.
        const apiDown =
          !(err instanceof AgentFlowError) ||
          err.code === 'NETWORK_ERROR' ||
          err.code === 'UNEXPECTED_RESPONSE';
        const message = apiDown ? 'The API did not answer. Is it running on port 4000?' : err.message;
        setState({ kind: 'error', message });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <section
      aria-labelledby="status-heading"
      aria-live="polite"
      className="rounded-lg border border-slate-200 p-5 dark:border-slate-800"
    >
      <h2 id="status-heading" className="mb-3 text-sm font-medium uppercase tracking-wide text-slate-500">
        System status
      </h2>
      {state.kind === 'loading' && <p data-testid="status">Checking the API…</p>}
      {state.kind === 'error' && (
        <p data-testid="status" className="text-red-600">
          {state.message}
        </p>
      )}
      {state.kind === 'ready' && (
        <dl data-testid="status" data-status={state.readiness.status} className="grid grid-cols-2 gap-2">
          <dt>API</dt>
          <dd className={state.readiness.status === 'ok' ? 'text-emerald-600' : 'text-red-600'}>
            {state.readiness.status === 'ok' ? 'Ready' : 'Degraded'}
          </dd>
          <dt>Database</dt>
          <dd>{state.readiness.checks.database.status}</dd>
          <dt>Redis</dt>
          <dd>
            {state.readiness.checks.redis.status === 'disabled'
              ? 'not configured (inline queue)'
              : state.readiness.checks.redis.status}
          </dd>
        </dl>
      )}
    </section>
  );
}
