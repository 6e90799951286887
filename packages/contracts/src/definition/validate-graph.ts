import { getNodeSpec } from './catalog';
import { type GraphAnalysis, isLoopNode } from './graph';
import type { DefinitionEdge, DefinitionNode } from './schema';
import type { DefinitionProblem, ParsedNode } from './validate';

/** Edge rules: ends exist, nothing enters the trigger, no duplicates, handles exist on the source. */
export function checkEdges(
  edges: DefinitionEdge[],
  graph: GraphAnalysis,
  parsed: Map<string, ParsedNode>,
  problems: DefinitionProblem[],
): void {
  const seen = new Set<string>();
  for (const edge of edges) {
    const source = graph.nodeById.get(edge.source);
    const target = graph.nodeById.get(edge.target);
    if (!source) {
      problems.push({
        code: 'edge_source_missing',
        message: `Edge "${edge.id}" starts at missing node "${edge.source}"`,
        edge_id: edge.id,
      });
    }
    if (!target) {
      problems.push({
        code: 'edge_target_missing',
        message: `Edge "${edge.id}" points to missing node "${edge.target}"`,
        edge_id: edge.id,
      });
    }
    if (!source || !target) continue;
    if (target.type === 'trigger') {
      problems.push({
        code: 'trigger_incoming_edge',
        message: `Edge "${edge.id}" points into trigger "${target.id}": a trigger only starts the run`,
        edge_id: edge.id,
        node_id: target.id,
      });
    }
    const key = `${edge.source}\u0000${edge.source_handle ?? ''}\u0000${edge.target}`;
    if (seen.has(key)) {
      problems.push({
        code: 'duplicate_edge',
        message: `Edge "${edge.id}" duplicates another edge from "${edge.source}" to "${edge.target}"`,
        edge_id: edge.id,
      });
    }
    seen.add(key);
    const node = parsed.get(source.id);
    if (node) checkHandle(edge, source, node, problems);
  }
}

function checkHandle(
  edge: DefinitionEdge,
  source: DefinitionNode,
  node: ParsedNode,
  problems: DefinitionProblem[],
) {
  const { spec } = node;
  const handle = edge.source_handle ?? null;
  const handles = spec.handles(node.config);
  const where = `${source.type}.${source.subtype} node "${source.id}"`;
  if (handle !== null && !handles.includes(handle)) {
    problems.push({
      code: 'invalid_source_handle',
      message: handles.length
        ? `Edge "${edge.id}" uses handle "${handle}", but the ${where} has: ${handles.join(', ')}`
        : `Edge "${edge.id}" uses handle "${handle}", but the ${where} has no branches`,
      edge_id: edge.id,
      node_id: source.id,
    });
  } else if (handle === null && spec.handleMode === 'required') {
    problems.push({
      code: 'missing_source_handle',
      message: `Edge "${edge.id}" leaves the ${where} without a handle; use one of: ${handles.join(', ')}`,
      edge_id: edge.id,
      node_id: source.id,
    });
  }
}

/** Graph rules: one trigger, reachability, cycles, loop bodies, merge barriers. */
export function checkStructure(graph: GraphAnalysis, problems: DefinitionProblem[]): void {
  const { triggers } = graph;
  if (triggers.length === 0) {
    problems.push({
      code: 'trigger_missing',
      message: 'The definition needs exactly one trigger node; it has none',
    });
  }
  for (const extra of triggers.slice(1)) {
    problems.push({
      code: 'multiple_triggers',
      message: `Only one trigger is allowed; "${extra.id}" is an extra one`,
      node_id: extra.id,
    });
  }
  if (triggers.length === 1) {
    for (const id of graph.nodeById.keys()) {
      if (graph.reachable.has(id)) continue;
      problems.push({
        code: 'unreachable_node',
        message: `Node "${id}" cannot be reached from the trigger`,
        node_id: id,
      });
    }
  }
  for (const cycle of graph.cycles) {
    const inCycle = new Set(cycle);
    const edge = cycle.flatMap((id) => graph.outEdges.get(id) ?? []).find((e) => inCycle.has(e.target));
    problems.push({
      code: 'cycle',
      message: `Cycle through ${cycle.map((id) => `"${id}"`).join(' -> ')}: only a loop node's "each" body may lead back to it`,
      node_id: cycle[0],
      ...(edge ? { edge_id: edge.id } : {}),
    });
  }
  // A body is everything reachable from the loop's "each" edges, so it cannot "leave"; what can go wrong
  // is a body node that is also entered from outside (the "done" path or an earlier node).
  for (const [loopId, body] of graph.loopBodies) {
    for (const id of body) {
      for (const e of graph.inEdges.get(id) ?? []) {
        if (body.has(e.source) || (e.source === loopId && e.source_handle === 'each')) continue;
        problems.push({
          code: 'loop_body_entry',
          message: `Node "${id}" is in the body of loop "${loopId}" but edge "${e.id}" also enters it from outside; a body may only run from the loop's "each" handle and lead back to the loop`,
          edge_id: e.id,
          node_id: id,
        });
      }
    }
  }
  for (const node of graph.nodeById.values()) {
    if (node.type !== 'logic' || node.subtype !== 'merge' || node.config.mode !== 'all') continue;
    for (const e of graph.inEdges.get(node.id) ?? []) {
      const source = graph.nodeById.get(e.source);
      const spec = source ? getNodeSpec(source.type, source.subtype) : undefined;
      if (!e.condition && spec?.handleMode === 'none' && !(source && isLoopNode(source))) continue;
      problems.push({
        code: 'merge_requires_plain_edges',
        message: `Merge "${node.id}" waits for all inputs, so edge "${e.id}" must come from a non-branching node without a condition (use mode "any" after a branch)`,
        edge_id: e.id,
        node_id: node.id,
      });
    }
  }
}
