import type { HandlerContext, NodeHandler } from '../handlers/types';
import type { InternalResult } from './node-runner';
import type { EngineState, LoopFrame } from './state';

/**
 * A loop node is a plain graph node visited once on entry and once after each iteration (its body
 * leads back to it), so iterations are ordinary supersteps: a body step can interrupt() and resume
 * from a checkpoint. Its frame (items, index, results) lives in the state under `loops[<id>]`.
 *
 * Each iteration starts by clearing the body's previous outputs, so a body node that did not run
 * this time (a branch not taken) is never read as if it had.
 */
export function loopController(loopId: string, entry: NodeHandler, body: ReadonlySet<string>) {
  const cleared = Object.fromEntries([...body].map((id) => [id, null]));
  return async (ctx: HandlerContext<unknown>): Promise<InternalResult> => {
    const frame = ctx.state.loops[loopId];
    let items: unknown[];
    let index: number;
    let results: unknown[];
    if (!frame) {
      const first = await entry.run(ctx);
      items = (first.output as { items: unknown[] }).items;
      index = 0;
      results = [];
    } else {
      items = frame.items;
      index = frame.index + 1;
      results = [...frame.results, iterationResult(ctx.state, frame, body)];
    }
    if (index < items.length) {
      const next: LoopFrame = { items, index, results, mark: ctx.state.steps.length + 1 };
      return {
        output: { item: items[index], index, count: items.length },
        branch: 'each',
        update: { loops: { [loopId]: next }, nodes: cleared },
      };
    }
    return {
      output: { count: items.length, results },
      branch: 'done',
      update: { loops: { [loopId]: null }, nodes: cleared },
    };
  };
}

/** The output of the last body step of the iteration that just ended (null if none ran). */
function iterationResult(state: EngineState, frame: LoopFrame, body: ReadonlySet<string>): unknown {
  for (let i = state.steps.length - 1; i >= frame.mark; i--) {
    const id = state.steps[i];
    if (id !== undefined && body.has(id)) return state.nodes[id]?.output ?? null;
  }
  return null;
}
