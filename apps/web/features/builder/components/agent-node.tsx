'use client';

import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useMemo, useRef } from 'react';
import { nodeHandles, nodeTitle } from '../catalog';
import { useBuilder } from '../context';
import type { BuilderNode } from '../definition';
import type { RunNodeStatus } from '../store';

const runClass: Record<RunNodeStatus, string> = {
  running: 'border-sky-500 ring-2 ring-sky-400/60 animate-pulse',
  completed: 'border-emerald-500 ring-2 ring-emerald-400/60 bg-emerald-50 dark:bg-emerald-950',
  failed: 'border-red-600 ring-2 ring-red-500/60 bg-red-50 dark:bg-red-950',
  waiting: 'border-amber-500 ring-2 ring-amber-400/60 bg-amber-50 dark:bg-amber-950',
};
const runLabel: Record<RunNodeStatus, string> = {
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  waiting: 'waiting for approval',
};

const typeAccent: Record<string, string> = {
  trigger: 'bg-violet-500',
  ai: 'bg-indigo-500',
  agent: 'bg-fuchsia-500',
  action: 'bg-cyan-600',
  logic: 'bg-amber-500',
  transform: 'bg-teal-500',
  human: 'bg-rose-500',
  output: 'bg-emerald-600',
  knowledge: 'bg-slate-500',
};

/**
 * One canvas node. Memoized, and subscribed only to its own problems and run status, so a change to
 * one node re-renders that node alone (500-node graphs stay smooth).
 */
function AgentNodeView({ id, data, selected }: NodeProps<BuilderNode>) {
  const problems = useBuilder((s) => s.problems.nodes[id]);
  const run = useBuilder((s) => s.run[id]);
  const handles = useMemo(
    () => nodeHandles(data.type, data.subtype, data.config),
    [data.type, data.subtype, data.config],
  );
  const handleKey = `${handles.plain}|${handles.branches.join('|')}`;
  const updateNodeInternals = useUpdateNodeInternals();
  const firstKey = useRef(handleKey);
  useEffect(() => {
    // React Flow measures handles once; tell it when the branches change (labels, cases...).
    if (handleKey !== firstKey.current) {
      firstKey.current = handleKey;
      updateNodeInternals(id);
    }
  }, [handleKey, id, updateNodeInternals]);

  const sources: { id: string | null; label: string }[] = [
    ...(handles.plain ? [{ id: null, label: handles.branches.length ? 'always' : '' }] : []),
    ...handles.branches.map((b) => ({ id: b, label: b })),
  ];
  const hasProblem = !!problems?.length;
  const border = run
    ? runClass[run.status]
    : hasProblem
      ? 'border-red-500 ring-2 ring-red-500/70'
      : selected
        ? 'border-indigo-500 ring-2 ring-indigo-400/60'
        : 'border-slate-300 dark:border-slate-700';
  const minHeight = Math.max(56, sources.length * 22 + 16);

  return (
    <div
      data-testid="canvas-node"
      data-node-id={id}
      data-run-status={run?.status}
      data-problem={hasProblem ? 'true' : undefined}
      className={`relative w-[220px] rounded-lg border bg-white text-left text-slate-900 dark:bg-slate-900 dark:text-slate-100 ${border} ${selected && (run || hasProblem) ? 'outline-2 outline-offset-2 outline-indigo-500' : ''}`}
      style={{ minHeight }}
    >
      {data.type !== 'trigger' && (
        <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-slate-500" />
      )}
      <div className="flex items-center gap-2 px-3 pt-2">
        <span
          aria-hidden
          className={`h-2.5 w-2.5 shrink-0 rounded-full ${typeAccent[data.type] ?? 'bg-slate-400'}`}
        />
        <span className="truncate text-[11px] uppercase tracking-wide text-slate-500 dark:text-slate-400">
          {nodeTitle(data.type, data.subtype)}
        </span>
      </div>
      <div className="truncate px-3 pb-2 text-sm font-medium">{data.label || id}</div>
      {run && (
        <div className="px-3 pb-2 text-xs font-medium" data-testid="node-run-status">
          {runLabel[run.status]}
        </div>
      )}
      {hasProblem && (
        <p
          className="mx-2 mb-2 rounded bg-red-50 px-2 py-1 text-xs text-red-700 dark:bg-red-950 dark:text-red-300"
          title={problems.join('\n')}
          data-testid="node-problem"
        >
          {problems[0]}
          {problems.length > 1 ? ` (+${problems.length - 1})` : ''}
        </p>
      )}
      {sources.map((h, i) => {
        const top = `${((i + 1) / (sources.length + 1)) * 100}%`;
        return (
          <div key={h.id ?? '__plain'}>
            <Handle
              type="source"
              position={Position.Right}
              id={h.id}
              style={{ top }}
              className="!h-3 !w-3 !bg-indigo-500"
              aria-label={h.id ? `${data.label || id}: ${h.id} branch` : `${data.label || id}: output`}
            />
            {h.label && (
              <span
                className="pointer-events-none absolute right-3 -translate-y-1/2 text-[10px] text-slate-500 dark:text-slate-400"
                style={{ top }}
              >
                {h.label}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}

export const AgentNode = memo(AgentNodeView);
export const nodeTypes = { agent: AgentNode };
