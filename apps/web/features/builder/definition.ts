import type { DefinitionEdge, DefinitionNode } from '@agentflow/contracts';
import type { Edge, Node } from '@xyflow/react';

/** What a canvas node carries: the definition node minus id/position (React Flow owns those). */
export interface BuilderNodeData extends Record<string, unknown> {
  type: string;
  subtype: string;
  label: string;
  config: Record<string, unknown>;
}
export type BuilderNode = Node<BuilderNodeData, 'agent'>;
export type BuilderEdge = Edge<{ condition?: unknown }>;

export interface LooseDefinition {
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The API's draft (loose: it may be half-built) as React Flow nodes and edges. */
export function fromDefinition(def: Record<string, unknown>): { nodes: BuilderNode[]; edges: BuilderEdge[] } {
  const rawNodes = Array.isArray(def.nodes) ? def.nodes : [];
  const rawEdges = Array.isArray(def.edges) ? def.edges : [];
  const nodes: BuilderNode[] = rawNodes.map((raw, i) => {
    const n = obj(raw);
    const pos = obj(n.position);
    return {
      id: str(n.id, `node_${i}`),
      type: 'agent',
      position: {
        x: typeof pos.x === 'number' ? pos.x : 0,
        y: typeof pos.y === 'number' ? pos.y : i * 120,
      },
      data: { type: str(n.type), subtype: str(n.subtype), label: str(n.label), config: obj(n.config) },
    };
  });
  const edges: BuilderEdge[] = rawEdges.map((raw, i) => {
    const e = obj(raw);
    const handle = typeof e.source_handle === 'string' ? e.source_handle : null;
    const edge: BuilderEdge = {
      id: str(e.id, `edge_${i}`),
      source: str(e.source),
      target: str(e.target),
      sourceHandle: handle,
    };
    if (typeof e.label === 'string') edge.label = e.label;
    if (e.condition !== undefined) edge.data = { condition: e.condition };
    return edge;
  });
  return { nodes, edges };
}

export function toDefinitionNode(n: BuilderNode): DefinitionNode {
  return {
    id: n.id,
    type: n.data.type,
    subtype: n.data.subtype,
    label: n.data.label,
    config: n.data.config,
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
  };
}

export function toDefinitionEdge(e: BuilderEdge): DefinitionEdge {
  const out: DefinitionEdge = { id: e.id, source: e.source, target: e.target };
  if (e.sourceHandle) out.source_handle = e.sourceHandle;
  if (typeof e.label === 'string' && e.label) out.label = e.label;
  if (e.data?.condition !== undefined) out.condition = e.data.condition as DefinitionEdge['condition'];
  return out;
}

/** React Flow's nodes and edges back to the wire format the API stores. */
export function toDefinition(nodes: readonly BuilderNode[], edges: readonly BuilderEdge[]) {
  return { nodes: nodes.map(toDefinitionNode), edges: edges.map(toDefinitionEdge) };
}
