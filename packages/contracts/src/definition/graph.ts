import type { DefinitionEdge, DefinitionNode } from './schema';

/**
 * Structural facts about a definition, shared by the validator and the engine's compiler so both read
 * loops the same way. A loop's body is every node reachable from its `each` edges without passing
 * through the loop node; edges from the body back to the loop are "back edges", the only cycles allowed.
 */
export interface GraphAnalysis {
  nodeById: Map<string, DefinitionNode>;
  /** Edges whose source and target both exist. */
  outEdges: Map<string, DefinitionEdge[]>;
  inEdges: Map<string, DefinitionEdge[]>;
  triggers: DefinitionNode[];
  loopBodies: Map<string, Set<string>>;
  /** Loops around each node, innermost first. */
  enclosingLoops: Map<string, string[]>;
  backEdgeIds: Set<string>;
  /** Nodes reachable from the trigger (empty unless there is exactly one trigger). */
  reachable: Set<string>;
  /** Strongly connected groups left once back edges are removed: each is a forbidden cycle. */
  cycles: string[][];
  /** Nodes with a path to `nodeId` (back edges excluded), memoized. */
  ancestors(nodeId: string): Set<string>;
}

export function isLoopNode(node: Pick<DefinitionNode, 'type' | 'subtype'>): boolean {
  return node.type === 'logic' && node.subtype === 'loop';
}

export function analyzeGraph(def: { nodes: DefinitionNode[]; edges: DefinitionEdge[] }): GraphAnalysis {
  const nodeById = new Map<string, DefinitionNode>();
  for (const n of def.nodes) if (!nodeById.has(n.id)) nodeById.set(n.id, n);
  const outEdges = new Map<string, DefinitionEdge[]>();
  const inEdges = new Map<string, DefinitionEdge[]>();
  for (const id of nodeById.keys()) {
    outEdges.set(id, []);
    inEdges.set(id, []);
  }
  for (const e of def.edges) {
    if (!nodeById.has(e.source) || !nodeById.has(e.target)) continue;
    outEdges.get(e.source)?.push(e);
    inEdges.get(e.target)?.push(e);
  }

  const loopBodies = new Map<string, Set<string>>();
  const backEdgeIds = new Set<string>();
  for (const node of nodeById.values()) {
    if (!isLoopNode(node)) continue;
    const body = new Set<string>();
    const queue = (outEdges.get(node.id) ?? [])
      .filter((e) => e.source_handle === 'each')
      .map((e) => e.target);
    while (queue.length) {
      const id = queue.pop() as string;
      if (id === node.id || body.has(id)) continue;
      body.add(id);
      for (const e of outEdges.get(id) ?? []) queue.push(e.target);
    }
    loopBodies.set(node.id, body);
    for (const id of body)
      for (const e of outEdges.get(id) ?? []) if (e.target === node.id) backEdgeIds.add(e.id);
  }

  const enclosingLoops = new Map<string, string[]>();
  for (const id of nodeById.keys()) {
    const loops = [...loopBodies].filter(([, body]) => body.has(id));
    loops.sort((a, b) => a[1].size - b[1].size);
    enclosingLoops.set(
      id,
      loops.map(([loopId]) => loopId),
    );
  }

  const triggers = [...nodeById.values()].filter((n) => n.type === 'trigger');
  const reachable = new Set<string>();
  if (triggers.length === 1 && triggers[0]) {
    const queue = [triggers[0].id];
    while (queue.length) {
      const id = queue.pop() as string;
      if (reachable.has(id)) continue;
      reachable.add(id);
      for (const e of outEdges.get(id) ?? []) queue.push(e.target);
    }
  }

  const forward = (id: string) => (outEdges.get(id) ?? []).filter((e) => !backEdgeIds.has(e.id));
  const cycles = stronglyConnected([...nodeById.keys()], forward);

  const memo = new Map<string, Set<string>>();
  const ancestors = (nodeId: string): Set<string> => {
    const known = memo.get(nodeId);
    if (known) return known;
    const seen = new Set<string>();
    const queue = [nodeId];
    while (queue.length) {
      const id = queue.pop() as string;
      for (const e of inEdges.get(id) ?? []) {
        if (backEdgeIds.has(e.id) || seen.has(e.source)) continue;
        seen.add(e.source);
        queue.push(e.source);
      }
    }
    seen.delete(nodeId);
    memo.set(nodeId, seen);
    return seen;
  };

  return {
    nodeById,
    outEdges,
    inEdges,
    triggers,
    loopBodies,
    enclosingLoops,
    backEdgeIds,
    reachable,
    cycles,
    ancestors,
  };
}

/** Tarjan's algorithm; returns groups of 2+ nodes and single nodes with a self edge. */
function stronglyConnected(ids: string[], forward: (id: string) => DefinitionEdge[]): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const e of forward(v)) {
      const w = e.target;
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
    }
    if (low.get(v) === indexOf.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || forward(v).some((e) => e.target === v)) out.push(group.reverse());
    }
  };
  for (const id of ids) if (!indexOf.has(id)) visit(id);
  return out;
}
