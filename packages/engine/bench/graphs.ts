/**
 * The benchmark graph: trigger -> `nodes - 2` no-op transform.set nodes -> output.respond, as an
 * engine definition and as hand-written LangGraph graphs doing the same work.
 */
import { Annotation, type BaseCheckpointSaver, START, StateGraph } from '@langchain/langgraph';

export function noopDefinition(nodes: number) {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`);
  const kind = (i: number) =>
    i === 0 ? ['trigger', 'manual'] : i === nodes - 1 ? ['output', 'respond'] : ['transform', 'set'];
  return {
    nodes: ids.map((id, i) => ({
      id,
      type: kind(i)[0] as string,
      subtype: kind(i)[1] as string,
      label: id,
      // A constant body: the respond node's only required field; no templates anywhere.
      config: i === nodes - 1 ? { body: { ok: true } } : {},
      position: { x: i * 100, y: 0 },
    })),
    edges: ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i] as string, target: id })),
  };
}

/**
 * "Raw LangGraph, equivalent": what one would write by hand for the same behaviour: each node's
 * result kept by node id (so later nodes can read it), the step log and the run output, with the
 * same reducers. The engine's extra work over this is its per-node overhead.
 */
export function rawEquivalentGraph(nodes: number, checkpointer?: BaseCheckpointSaver) {
  const State = Annotation.Root({
    trigger: Annotation<{ type: string; data: Record<string, unknown> }>({
      reducer: (_a, b) => b,
      default: () => ({ type: 'manual', data: {} }),
    }),
    nodes: Annotation<Record<string, { output: unknown }>>({
      reducer: (a, b) => ({ ...a, ...b }),
      default: () => ({}),
    }),
    steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    output: Annotation<unknown>({ reducer: (_a, b) => b, default: () => null }),
  });
  type S = typeof State.State;
  const fn = (i: number) => {
    const id = `n${i}`;
    if (i === 0) return (s: S) => ({ nodes: { [id]: { output: s.trigger.data } }, steps: [id] });
    if (i === nodes - 1) {
      return () => {
        const output = { body: { ok: true }, status_code: 200, headers: {} };
        return { nodes: { [id]: { output } }, steps: [id], output };
      };
    }
    return () => ({ nodes: { [id]: { output: {} } }, steps: [id] });
  };
  const list = Array.from({ length: nodes }, (_, i) => [`n${i}`, fn(i)] as [string, ReturnType<typeof fn>]);
  return chain(new StateGraph(State).addNode(list), nodes, checkpointer);
}

/** "Raw LangGraph, minimal": one channel (the shape STACK.md's ~0.40 ms/node was measured on). */
export function rawMinimalGraph(nodes: number, checkpointer?: BaseCheckpointSaver) {
  const State = Annotation.Root({
    nodes: Annotation<Record<string, unknown>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
  });
  const list = Array.from(
    { length: nodes },
    (_, i) =>
      [`n${i}`, () => ({ nodes: { [`n${i}`]: {} } })] as [string, () => { nodes: Record<string, unknown> }],
  );
  return chain(new StateGraph(State).addNode(list), nodes, checkpointer);
}

interface Chainable {
  addEdge(from: string, to: string): unknown;
  compile(opts: { checkpointer?: BaseCheckpointSaver }): {
    invoke(input: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  };
}

function chain(builder: Chainable, nodes: number, checkpointer?: BaseCheckpointSaver) {
  builder.addEdge(START, 'n0');
  for (let i = 1; i < nodes; i++) builder.addEdge(`n${i - 1}`, `n${i}`);
  return builder.compile(checkpointer ? { checkpointer } : {});
}
