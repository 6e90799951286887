/**
 * Per-node overhead of the engine vs raw LangGraph on a chain of no-op nodes (issue 4: target
 * ~0.4-0.5 ms/node, within 1.25x of raw LangGraph). Not a test: run it with
 *   node --import tsx packages/engine/bench/overhead.ts [nodes] [runs]
 * The benchmark issue can import `measureOverhead` and record the numbers in bench/RESULTS.md.
 */
import { Annotation, type BaseCheckpointSaver, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { compileDefinition } from '../src';

export interface OverheadResult {
  nodes: number;
  runs: number;
  checkpointer: boolean;
  compile_ms: number;
  raw_ms_per_node: number;
  engine_ms_per_node: number;
  ratio: number;
}

/** A trigger followed by `nodes - 1` transform.set nodes that build an empty object. */
export function noopDefinition(nodes: number) {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
  return {
    nodes: ids.map((id, i) => ({
      id,
      type: i === 0 ? 'trigger' : 'transform',
      subtype: i === 0 ? 'manual' : 'set',
      label: id,
      config: {},
      position: { x: i * 100, y: 0 },
    })),
    edges: ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i] as string, target: id })),
  };
}

function rawGraph(nodes: number, checkpointer?: BaseCheckpointSaver) {
  const State = Annotation.Root({
    nodes: Annotation<Record<string, unknown>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
  });
  const list = Array.from(
    { length: nodes },
    (_, i) =>
      [`n${i}`, () => ({ nodes: { [`n${i}`]: {} } })] as [string, () => { nodes: Record<string, unknown> }],
  );
  const builder = new StateGraph(State).addNode(list);
  builder.addEdge(START, 'n0');
  for (let i = 1; i < nodes; i++) builder.addEdge(`n${i - 1}`, `n${i}`);
  return builder.compile(checkpointer ? { checkpointer } : {});
}

async function timePerNode(
  nodes: number,
  runs: number,
  once: (i: number) => Promise<unknown>,
): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await once(i);
  return (performance.now() - t0) / runs / nodes;
}

/**
 * Raw and engine runs alternate in rounds and the fastest round of each counts: on shared, loaded
 * machines the minimum is the stable estimate of the intrinsic cost (noise only ever adds time).
 */
export async function measureOverhead(
  nodes = 20,
  runs = 300,
  withCheckpointer = false,
  rounds = 5,
): Promise<OverheadResult> {
  const def = noopDefinition(nodes);
  compileDefinition(def);
  const compileRuns = 20;
  const c0 = performance.now();
  for (let i = 0; i < compileRuns; i++) compileDefinition(def);
  const compile_ms = (performance.now() - c0) / compileRuns;

  const raw = rawGraph(nodes, withCheckpointer ? new MemorySaver() : undefined);
  const agent = compileDefinition(def, withCheckpointer ? { checkpointer: new MemorySaver() } : {});
  let thread = 0;
  const rawOnce = () =>
    raw.invoke({}, { recursionLimit: nodes + 10, configurable: { thread_id: `t${thread++}` } });
  const engineOnce = () => agent.run({ type: 'manual', data: {} }, { threadId: `t${thread++}` });
  await timePerNode(nodes, 50, rawOnce); // warm-up (JIT)
  await timePerNode(nodes, 50, engineOnce);
  const perRound = Math.max(1, Math.floor(runs / rounds));
  let raw_ms_per_node = Number.POSITIVE_INFINITY;
  let engine_ms_per_node = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    raw_ms_per_node = Math.min(raw_ms_per_node, await timePerNode(nodes, perRound, rawOnce));
    engine_ms_per_node = Math.min(engine_ms_per_node, await timePerNode(nodes, perRound, engineOnce));
  }
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    nodes,
    runs: perRound * rounds,
    checkpointer: withCheckpointer,
    compile_ms: round(compile_ms),
    raw_ms_per_node: round(raw_ms_per_node),
    engine_ms_per_node: round(engine_ms_per_node),
    ratio: round(engine_ms_per_node / raw_ms_per_node),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = Number(process.argv[2] ?? 20);
  const runs = Number(process.argv[3] ?? 300);
  for (const cp of [false, true]) console.log(JSON.stringify(await measureOverhead(nodes, runs, cp)));
}
