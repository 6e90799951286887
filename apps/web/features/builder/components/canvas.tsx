'use client';

import {
  Background,
  Controls,
  type Edge,
  getViewportForBounds,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Viewport,
} from '@xyflow/react';
import { type DragEvent, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { flowDarkPalette, flowPanelClass } from '@/components/flow-theme';
import { useBuilder, useBuilderStore } from '../context';
import type { BuilderEdge, BuilderNode } from '../definition';
import { DEFAULT_NODE_SIZE } from '../layout';
import { nodeTypes } from './agent-node';

export const DRAG_MIME = 'application/x-agentflow-node';

const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed } };
const proOptions = { hideAttribution: true };
const MIN_ZOOM = 0.05;
/** Above this many edges arrowheads are left out: SVG markers are costly to repaint while panning. */
const BIG_GRAPH_EDGES = 300;
const plainEdgeOptions = {};

function minimapColor(node: BuilderNode): string {
  return node.data.type === 'trigger' ? '#8b5cf6' : '#6366f1';
}

/** The React Flow canvas, controlled by the builder store. */
export function Canvas({ dark = false }: { dark?: boolean }) {
  const store = useBuilderStore();
  const nodes = useBuilder((s) => s.nodes);
  const edges = useBuilder((s) => s.edges);
  const edgeProblems = useBuilder((s) => s.problems.edges);
  const run = useBuilder((s) => s.run);
  const { screenToFlowPosition } = useReactFlow();
  const { onNodesChange, onEdgesChange, connect, canConnect } = store.getState();
  const wrapper = useRef<HTMLDivElement>(null);
  const [initialViewport, setInitialViewport] = useState<Viewport | null>(null);

  // Fit the graph before the first paint, from the saved positions: React Flow's own fitView waits for
  // every node to be measured and then renders a second time, which doubles the first render of big graphs.
  useLayoutEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    const list = store.getState().nodes;
    if (list.length === 0) {
      setInitialViewport({ x: 0, y: 0, zoom: 1 });
      return;
    }
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (const n of list) {
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + DEFAULT_NODE_SIZE.width);
      maxY = Math.max(maxY, n.position.y + DEFAULT_NODE_SIZE.height);
    }
    const { width, height } = el.getBoundingClientRect();
    setInitialViewport(
      getViewportForBounds(
        { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
        width || 800,
        height || 600,
        MIN_ZOOM,
        1,
        0.2,
      ),
    );
  }, [store]);

  // Problems and branch names decorate edges for display only: the store keeps the plain edges.
  const shownEdges = useMemo(() => {
    const out: Edge[] = new Array(edges.length);
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i] as BuilderEdge;
      const problems = edgeProblems[e.id];
      const ran = run[e.source]?.status === 'completed' && run[e.target] !== undefined;
      if (!problems && !e.sourceHandle && !ran) {
        out[i] = e;
        continue;
      }
      out[i] = {
        ...e,
        ...(e.sourceHandle && !problems ? { label: e.sourceHandle } : {}),
        ...(problems
          ? {
              label: problems[0],
              className: 'edge-problem',
              style: { stroke: '#dc2626', strokeWidth: 2.5 },
              labelStyle: { fill: '#b91c1c', fontSize: 11 },
              ariaLabel: `Edge ${e.id}: ${problems.join('; ')}`,
            }
          : {}),
        ...(ran && !problems ? { animated: true, style: { stroke: '#10b981', strokeWidth: 2 } } : {}),
      };
    }
    return out;
  }, [edges, edgeProblems, run]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(DRAG_MIME);
      if (!raw) return;
      event.preventDefault();
      const [type, subtype] = raw.split('.');
      if (!type || !subtype) return;
      const p = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      store.getState().addNode(type, subtype, { x: p.x - 110, y: p.y - 30 });
    },
    [screenToFlowPosition, store],
  );

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop zone for palette drags; keyboard users add nodes by pressing them
    <div ref={wrapper} className="h-full w-full" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      {initialViewport && (
        <ReactFlow<BuilderNode, Edge>
          nodes={nodes}
          edges={shownEdges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange as never}
          onConnect={connect}
          isValidConnection={canConnect as never}
          defaultEdgeOptions={edges.length > BIG_GRAPH_EDGES ? plainEdgeOptions : defaultEdgeOptions}
          deleteKeyCode={null}
          multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          defaultViewport={initialViewport}
          proOptions={proOptions}
          colorMode={dark ? 'dark' : 'light'}
          className={flowDarkPalette}
          aria-label="Agent graph"
        >
          <Background gap={20} />
          <MiniMap
            pannable
            zoomable
            nodeColor={minimapColor}
            ariaLabel="Minimap of the agent graph"
            className={flowPanelClass}
          />
          <Controls showInteractive={false} className={flowPanelClass} />
        </ReactFlow>
      )}
    </div>
  );
}
