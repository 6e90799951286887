import dagre from '@dagrejs/dagre';
import type { XYPosition } from '@xyflow/react';
import type { BuilderEdge, BuilderNode } from './definition';

export const DEFAULT_NODE_SIZE = { width: 220, height: 72 };

/** Left-to-right layered layout (dagre); returns each node's new top-left position. */
export function autoLayout(
  nodes: readonly BuilderNode[],
  edges: readonly BuilderEdge[],
): Record<string, XYPosition> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    g.setNode(n.id, {
      width: n.measured?.width ?? DEFAULT_NODE_SIZE.width,
      height: n.measured?.height ?? DEFAULT_NODE_SIZE.height,
    });
  }
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, XYPosition> = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    if (!p) continue;
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}
