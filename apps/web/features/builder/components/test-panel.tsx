'use client';

import type { AgentDetail, TestAgentResult } from '@agentflow/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { describeError } from '@/lib/errors';
import { useExecutionStream } from '@/lib/execution-stream';
import { builderKeys, executeAgent, setAgentStatus, testDraft } from '../api';
import { useBuilder, useBuilderStore } from '../context';
import { toDefinition } from '../definition';
import type { RunNodeState } from '../store';
import { RunOutput } from './run-output';

function runFromTest(result: TestAgentResult): Record<string, RunNodeState> {
  const run: Record<string, RunNodeState> = {};
  for (const step of result.steps) {
    run[step.node_id] = {
      status: step.status === 'waiting_approval' ? 'waiting' : step.status,
      output: step.output,
      ...(step.error ? { error: step.error } : {}),
    };
  }
  return run;
}

function initialTriggerData(): string {
  return '{\n  "message": "Hello from AgentFlow"\n}';
}

/**
 * Trigger data, then either a dry run of the draft (all steps at once) or a real run of the published
 * version watched live over the execution stream. Either way the nodes light up on the canvas.
 */
export function TestPanel({ agent, flush }: { agent: AgentDetail; flush(): Promise<void> }) {
  const store = useBuilderStore();
  const queryClient = useQueryClient();
  const id = useId();
  const [text, setText] = useState(() => {
    const trigger = store.getState().nodes.find((n) => n.data.type === 'trigger');
    const sample = trigger?.data.config.sample_data;
    return sample && typeof sample === 'object' ? JSON.stringify(sample, null, 2) : initialTriggerData();
  });
  const [parseError, setParseError] = useState<string | null>(null);
  const [mode, setMode] = useState<'test' | 'live' | null>(null);
  const [executionId, setExecutionId] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<TestAgentResult | null>(null);
  const stream = useExecutionStream(mode === 'live' ? executionId : null);
  const selected = useBuilder((s) => (s.selectedNodeIds.length === 1 ? s.selectedNodeIds[0] : undefined));
  const selectedRun = useBuilder((s) => (selected ? s.run[selected] : undefined));
  const selectedLabel = useBuilder((s) =>
    selected ? (s.nodes.find((n) => n.id === selected)?.data.label ?? selected) : undefined,
  );

  // The live stream's per-node states drive the canvas colors.
  useEffect(() => {
    if (mode === 'live') store.getState().setRun(stream.nodes as Record<string, RunNodeState>);
  }, [mode, stream.nodes, store]);

  const triggerData = (): Record<string, unknown> | null => {
    try {
      const v: unknown = text.trim() ? JSON.parse(text) : {};
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      setParseError(null);
      return v as Record<string, unknown>;
    } catch {
      setParseError('Trigger data must be a JSON object, e.g. { "message": "hi" }');
      return null;
    }
  };

  const test = useMutation({
    mutationFn: async (data: Record<string, unknown>) => {
      const { nodes, edges } = store.getState();
      return testDraft(agent.id, toDefinition(nodes, edges), data);
    },
    onMutate: () => {
      setMode('test');
      setExecutionId(null);
      store.getState().setRun({});
    },
    onSuccess: (result) => {
      setTestResult(result);
      store.getState().setRun(runFromTest(result));
    },
  });

  const activate = useMutation({
    mutationFn: () => setAgentStatus(agent.id, 'active'),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: builderKeys.agent(agent.id) }),
  });

  const execute = useMutation({
    mutationFn: async (data: Record<string, unknown>) => {
      await flush();
      return executeAgent(agent.id, data);
    },
    onMutate: () => {
      setMode('live');
      setTestResult(null);
      store.getState().setRun({});
    },
    onSuccess: (res) => setExecutionId(res.execution_id),
  });

  const published = agent.published_version;
  const runStatus =
    mode === 'test'
      ? test.isPending
        ? 'running'
        : testResult?.status
      : mode === 'live'
        ? executionId
          ? stream.status
          : 'starting'
        : undefined;

  return (
    <div className="flex flex-col gap-4 p-4" data-testid="test-panel">
      <div>
        <label htmlFor={`${id}-data`} className="label">
          Trigger data (JSON)
        </label>
        <textarea
          id={`${id}-data`}
          rows={6}
          spellCheck={false}
          className="input font-mono text-xs"
          value={text}
          aria-invalid={parseError ? true : undefined}
          aria-describedby={parseError ? `${id}-data-error` : undefined}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        {parseError && (
          <p id={`${id}-data-error`} className="field-error">
            {parseError}
          </p>
        )}
      </div>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className="btn"
          disabled={test.isPending}
          onClick={() => {
            const data = triggerData();
            if (data) test.mutate(data);
          }}
        >
          {test.isPending ? 'Testing…' : 'Test draft'}
        </button>
        {agent.status === 'active' ? (
          <button
            type="button"
            className="btn-secondary"
            disabled={!published || execute.isPending}
            onClick={() => {
              const data = triggerData();
              if (data) execute.mutate(data);
            }}
          >
            {published ? `Run published (v${published.version})` : 'Run published'}
          </button>
        ) : (
          <button
            type="button"
            className="btn-secondary"
            disabled={!published || activate.isPending}
            onClick={() => activate.mutate()}
            title={published ? 'Runs need an active agent' : 'Publish a version first'}
          >
            {activate.isPending ? 'Activating…' : 'Activate to run'}
          </button>
        )}
      </div>
      {!published && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Publish a version to run it for real; “Test draft” runs the canvas as it is, without saving
          anything.
        </p>
      )}
      {[test.error, execute.error, activate.error].map(
        (err, i) =>
          err && (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of three mutations
            <p key={i} role="alert" className="alert-error">
              {describeError(err)}
            </p>
          ),
      )}
      {stream.error && mode === 'live' && (
        <p role="alert" className="alert-error">
          {stream.error}
        </p>
      )}

      {runStatus && (
        <div className="flex flex-col gap-1" aria-live="polite">
          <p className="text-sm" data-testid="run-status">
            {mode === 'test' ? 'Test run' : 'Live run'}: <strong>{runStatus}</strong>
            {mode === 'live' && executionId && (
              <span className="text-xs text-slate-500 dark:text-slate-400">
                {' '}
                · {stream.connected ? 'connected' : 'not connected'}
              </span>
            )}
          </p>
          {testResult?.error && <p className="alert-error">{testResult.error.message}</p>}
        </div>
      )}

      {testResult && (
        <ol className="flex flex-col gap-1 text-sm" aria-label="Test steps">
          {testResult.steps.map((s) => (
            <li key={`${s.node_id}-${s.attempts}`}>
              <button
                type="button"
                className="w-full rounded px-2 py-1 text-left hover:bg-slate-100 dark:hover:bg-slate-800"
                onClick={() => store.getState().select([s.node_id])}
              >
                {s.label || s.node_id}: {s.status} ({Math.round(s.duration_ms)} ms)
              </button>
            </li>
          ))}
        </ol>
      )}

      <section className="flex flex-col gap-1">
        <h4 className="text-sm font-semibold">Node output</h4>
        {selected && selectedRun ? (
          <>
            <p className="text-xs text-slate-500 dark:text-slate-400">{selectedLabel}</p>
            <RunOutput state={selectedRun} />
          </>
        ) : (
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Click a node after a run to see its output.
          </p>
        )}
      </section>
    </div>
  );
}
