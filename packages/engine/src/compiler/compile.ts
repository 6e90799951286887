import {
  type AgentDefinition,
  analyzeGraph,
  type DefinitionNode,
  type GraphAnalysis,
  getNodeSpec,
  isLoopNode,
  validateDefinition,
} from '@agentflow/contracts';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { START, StateGraph } from '@langchain/langgraph';
import { DefinitionInvalidError, EngineError } from '../errors';
import { createDefaultRegistry, type HandlerRegistry } from '../handlers/registry';
import type { EngineServices } from '../handlers/types';
import { createServices } from '../services';
import type { StepHooks } from './hooks';
import { loopController } from './loop';
import { makeNodeFunction, type NodeFunction } from './node-runner';
import { graphNodeName, isStaticRoute, makeRouter, pathEnd, type RouteContext } from './routing';
import { type CompiledAgent, createRunner } from './run';
import { EngineStateAnnotation } from './state';

export interface CompileOptions {
  /** Missing services get defaults (echo-only LLM router, SSRF-safe HTTP client, real timers). */
  services?: Partial<EngineServices>;
  hooks?: StepHooks;
  registry?: HandlerRegistry;
  /** Needed for human approval (interrupt/resume); MemorySaver in tests, Postgres later. */
  checkpointer?: BaseCheckpointSaver;
  /**
   * When a checkpointed run stores its writes (LangGraph durability). `sync` (default): each
   * superstep's writes are stored before the next superstep starts. `async`: they are stored in the
   * background, in order, and the run ends only when all are stored; the consumer must hold back
   * non-replayable steps until earlier writes are committed (onStepStart, see StepStartEvent).
   */
  durability?: 'sync' | 'async';
}

/**
 * Definition -> LangGraph StateGraph. Validates first (an invalid definition never compiles), then
 * adds one graph node per definition node (`node_<id>`), static edges for plain nodes, conditional
 * edges for branching ones, and a barrier for `merge` nodes in mode `all`.
 */
export function compileDefinition(definition: unknown, opts: CompileOptions = {}): CompiledAgent {
  const validation = validateDefinition(definition);
  if (!validation.ok || !validation.definition) throw new DefinitionInvalidError(validation.problems);
  const def = validation.definition;
  const analysis = analyzeGraph(def);
  const services = createServices(opts.services);
  const registry = opts.registry ?? createDefaultRegistry();
  const hooks = opts.hooks ?? {};

  const functions: Array<[string, NodeFunction]> = def.nodes.map((node) => {
    const handler = registry.get(node.type, node.subtype);
    if (!handler) {
      throw new EngineError(
        'NODE_NOT_AVAILABLE',
        `Node "${node.id}" (${node.type}.${node.subtype}) cannot run yet: this engine has no handler for it`,
      );
    }
    const innermostLoop = analysis.enclosingLoops.get(node.id)?.[0];
    return [
      graphNodeName(node.id),
      makeNodeFunction({
        node,
        handler,
        innermostLoop,
        predecessors: [...new Set((analysis.inEdges.get(node.id) ?? []).map((e) => e.source))],
        services,
        hooks,
        isOutput: node.type === 'output',
        ...(isLoopNode(node)
          ? { run: loopController(node.id, handler, analysis.loopBodies.get(node.id) ?? new Set()) }
          : {}),
      }),
    ];
  });

  // Node names are only known at run time: the array overload of addNode types them as string.
  const builder = new StateGraph(EngineStateAnnotation).addNode(functions);
  const trigger = analysis.triggers[0] as DefinitionNode;
  builder.addEdge(START, graphNodeName(trigger.id));

  const barriers = new Map<string, string[]>();
  for (const node of def.nodes) {
    const rc: RouteContext = {
      node,
      spec: getNodeSpec(node.type, node.subtype) as NonNullable<ReturnType<typeof getNodeSpec>>,
      edges: analysis.outEdges.get(node.id) ?? [],
      innermostLoop: analysis.enclosingLoops.get(node.id)?.[0],
    };
    const name = graphNodeName(node.id);
    if (!isStaticRoute(rc)) {
      const { router, targets } = makeRouter(rc);
      builder.addConditionalEdges(name, router, targets);
      continue;
    }
    if (rc.edges.length === 0) builder.addEdge(name, pathEnd(rc.innermostLoop));
    for (const edge of rc.edges) {
      const target = analysis.nodeById.get(edge.target) as DefinitionNode;
      if (waitsForAll(target)) barriers.set(edge.target, [...(barriers.get(edge.target) ?? []), name]);
      else builder.addEdge(name, graphNodeName(edge.target));
    }
  }
  for (const [target, sources] of barriers) builder.addEdge(sources, graphNodeName(target));

  const graph = builder.compile(opts.checkpointer ? { checkpointer: opts.checkpointer } : {});
  const durability = opts.checkpointer ? (opts.durability ?? 'sync') : undefined;
  return createRunner(graph, def, recursionLimit(def, analysis), durability);
}

function waitsForAll(node: DefinitionNode): boolean {
  return node.type === 'logic' && node.subtype === 'merge' && node.config.mode === 'all';
}

/**
 * LangGraph stops a run after `recursionLimit` supersteps. Every superstep runs at least one node,
 * so the bound is the most node visits the definition allows: a body node runs once per iteration of
 * each loop around it, a loop node once more than its iterations.
 */
function recursionLimit(def: AgentDefinition, analysis: GraphAnalysis): number {
  const maxIterations = (id: string) => Number(analysis.nodeById.get(id)?.config.max_iterations ?? 1);
  let total = 0;
  for (const node of def.nodes) {
    const around = (analysis.enclosingLoops.get(node.id) ?? []).reduce((n, id) => n * maxIterations(id), 1);
    total += isLoopNode(node) ? around * (maxIterations(node.id) + 1) : around;
  }
  return total + 10;
}
