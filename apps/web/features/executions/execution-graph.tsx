'use client';

import type { AgentDefinition } from '@agentflow/contracts';
import {
  Background,
  Controls,
  type Edge,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { flowDarkPalette, flowPanelClass, useDarkMode } from '@/components/flow-theme';
import type { NodeRunState, NodeRunStatus } from '@/lib/execution-stream';
import { nodeStatusLabel } from './format';

type RunNodeData = { label: string; kind: string; status: NodeRunStatus | 'idle' };
type RunNode = Node<RunNodeData, 'run'>;

const nodeClass: Record<NodeRunStatus | 'idle', string> = {
  idle: 'border-slate-300 bg-white text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300',
  running:
    'border-sky-500 bg-sky-50 text-sky-900 ring-2 ring-sky-300 dark:bg-sky-950 dark:text-sky-100 dark:ring-sky-800',
  completed: 'border-emerald-500 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100',
  failed: 'border-red-500 bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100',
  waiting:
    'border-amber-500 bg-amber-50 text-amber-900 ring-2 ring-amber-300 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-800',
};

function RunNodeView({ data }: NodeProps<RunNode>) {
  return (
    <div
      className={`min-w-36 rounded-md border-2 px-3 py-2 text-xs shadow-sm ${nodeClass[data.status]}`}
      data-testid="run-node"
      data-status={data.status}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="font-medium">{data.label}</div>
      <div className="opacity-75">
        {data.kind} · {nodeStatusLabel[data.status]}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { run: RunNodeView };

/** The pinned version's graph, read-only, each node colored by its state in this run. */
export function ExecutionGraph({
  definition,
  nodes: states,
}: {
  definition: AgentDefinition;
  nodes: Record<string, NodeRunState>;
}) {
  const nodes = useMemo<RunNode[]>(
    () =>
      definition.nodes.map((n) => ({
        id: n.id,
        type: 'run',
        position: n.position,
        data: {
          label: n.label || n.id,
          kind: `${n.type}/${n.subtype}`,
          status: states[n.id]?.status ?? 'idle',
        },
        draggable: false,
        connectable: false,
        selectable: false,
      })),
    [definition, states],
  );
  const edges = useMemo<Edge[]>(
    () =>
      definition.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        ...(e.label || e.source_handle ? { label: e.label ?? e.source_handle ?? undefined } : {}),
        animated: states[e.source]?.status === 'completed' && states[e.target]?.status === 'running',
      })),
    [definition, states],
  );
  // The app's theme, not React Flow's light default: the same palette as the builder canvas.
  const dark = useDarkMode();
  const summary = definition.nodes
    .map((n) => `${n.label || n.id}: ${nodeStatusLabel[states[n.id]?.status ?? 'idle']}`)
    .join('; ');

  return (
    <figure className="flex flex-col gap-2">
      <div
        className="h-80 overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800"
        data-testid="execution-graph"
      >
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          edgesFocusable={false}
          nodesFocusable={false}
          proOptions={{ hideAttribution: true }}
          colorMode={dark ? 'dark' : 'light'}
          className={flowDarkPalette}
        >
          <Background />
          <Controls showInteractive={false} className={flowPanelClass} />
        </ReactFlow>
      </div>
      <figcaption className="sr-only">Graph of the run: {summary}</figcaption>
    </figure>
  );
}
