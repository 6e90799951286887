import { Annotation } from '@langchain/langgraph';

/** What each node leaves in the state: `{{node_<id>.output...}}` and the branch it took. */
export interface NodeResult {
  output: unknown;
  branch?: string;
}

/** A running loop: its items, the current index and the per-iteration results collected so far. */
export interface LoopFrame {
  items: unknown[];
  index: number;
  results: unknown[];
  /** Length of the step log when the current iteration started (to find its last body step). */
  mark: number;
}

/**
 * The step log: ids of the nodes that ran, in order. Deliberately only ids: the state is serialized
 * into every checkpoint, so durations, tokens, cost, inputs and outputs of steps travel through the
 * hooks (which the executions layer persists) instead.
 */
export type StepLogEntry = string;

/** The run's input: `{{trigger.type}}`, `{{trigger.data...}}`. */
export interface TriggerInput {
  type: string;
  data: Record<string, unknown>;
}

/** Merges keyed updates; a null value deletes the key (a loop clears its body's previous outputs). */
function mergeKeyed<T>(prev: Record<string, T>, next: Record<string, T | null>): Record<string, T> {
  const out = { ...prev };
  for (const [k, v] of Object.entries(next)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/**
 * The graph state (checkpointed after every superstep): the trigger, node results keyed by node id,
 * loop frames keyed by loop node id, the step log (node ids in order) and the respond node's output.
 */
export const EngineStateAnnotation = Annotation.Root({
  trigger: Annotation<TriggerInput>({
    reducer: (_prev, next) => next,
    default: () => ({ type: 'manual', data: {} }),
  }),
  nodes: Annotation<Record<string, NodeResult>, Record<string, NodeResult | null>>({
    reducer: mergeKeyed,
    default: () => ({}),
  }),
  loops: Annotation<Record<string, LoopFrame>, Record<string, LoopFrame | null>>({
    reducer: mergeKeyed,
    default: () => ({}),
  }),
  steps: Annotation<StepLogEntry[]>({ reducer: (prev, next) => prev.concat(next), default: () => [] }),
  output: Annotation<unknown>({ reducer: (_prev, next) => next, default: () => null }),
});

export type EngineState = typeof EngineStateAnnotation.State;
export type EngineUpdate = typeof EngineStateAnnotation.Update;
