import type { DefinitionEdge, DefinitionNode, NodeSpec } from '@agentflow/contracts';
import { END } from '@langchain/langgraph';
import { VariableError } from '../errors';
import { evaluateCondition, toleratesMissing } from '../variables/conditions';
import { compileValue, type Resolver } from '../variables/resolve';
import { makeScope } from './scope';
import type { EngineState } from './state';

/** LangGraph node names: `node_<id>` never collides with a state channel or `__start__`/`__end__`. */
export const graphNodeName = (id: string): string => `node_${id}`;

export interface RouteContext {
  node: DefinitionNode;
  spec: NodeSpec;
  edges: DefinitionEdge[];
  innermostLoop: string | undefined;
}

/** Plain nodes whose edges are all unconditional get static edges (no router per step). */
export function isStaticRoute({ spec, edges, node }: RouteContext): boolean {
  return (
    spec.handleMode === 'none' &&
    edges.every((e) => !e.condition) &&
    !(node.type === 'logic' && node.subtype === 'loop')
  );
}

/** Where a path ends: back to the innermost loop (next iteration) or the end of the run. */
export function pathEnd(innermostLoop: string | undefined): string {
  return innermostLoop === undefined ? END : graphNodeName(innermostLoop);
}

/**
 * The router of a branching node (or one with edge conditions): follows the edges whose handle
 * matches the branch the node chose (edges without a handle: always, or on `defaultHandle`) and whose
 * condition holds. When nothing matches, the path ends (see `pathEnd`); a loop with an empty body
 * just goes on to its next item.
 */
export function makeRouter(rc: RouteContext): {
  router: (state: EngineState) => string | string[];
  targets: string[];
} {
  const { node, spec, edges, innermostLoop } = rc;
  const guarded = edges.map((edge) => ({
    edge,
    handle: edge.source_handle ?? spec.defaultHandle ?? null,
    target: graphNodeName(edge.target),
    left: edge.condition ? compileValue(edge.condition.left) : undefined,
    right: edge.condition?.right === undefined ? undefined : compileValue(edge.condition.right),
  }));
  const fallback = pathEnd(innermostLoop);
  const self = graphNodeName(node.id);
  const router = (state: EngineState): string | string[] => {
    const branch = state.nodes[node.id]?.branch;
    const chosen = new Set<string>();
    for (const g of guarded) {
      if (g.handle !== null && g.handle !== branch) continue;
      if (g.edge.condition && !holds(g.edge.condition.operator, g.left, g.right, state, innermostLoop))
        continue;
      chosen.add(g.target);
    }
    if (chosen.size) return [...chosen];
    return node.subtype === 'loop' && node.type === 'logic' && branch === 'each' ? self : fallback;
  };
  const targets = [...new Set([...guarded.map((g) => g.target), fallback, self])];
  return { router, targets };
}

function holds(
  operator: NonNullable<DefinitionEdge['condition']>['operator'],
  left: Resolver | undefined,
  right: Resolver | undefined,
  state: EngineState,
  innermostLoop: string | undefined,
): boolean {
  const scope = makeScope(state, innermostLoop);
  let l: unknown;
  try {
    l = left?.(scope);
  } catch (err) {
    if (!(err instanceof VariableError) || !toleratesMissing(operator)) throw err;
  }
  return evaluateCondition(operator, l, right?.(scope));
}
