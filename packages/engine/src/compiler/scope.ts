import type { Scope } from '../variables/resolve';
import type { EngineState } from './state';

/**
 * The variable roots a node sees: `trigger`, `loop` (its innermost loop, when it is in a body) and
 * `node_<id>` (a node result: `{ output, branch? }`).
 */
export function makeScope(state: EngineState, innermostLoop: string | undefined): Scope {
  return (root) => {
    if (root === 'trigger') return state.trigger;
    if (root === 'loop') {
      const frame = innermostLoop === undefined ? undefined : state.loops[innermostLoop];
      return frame && { item: frame.items[frame.index], index: frame.index, count: frame.items.length };
    }
    return root.startsWith('node_') ? state.nodes[root.slice(5)] : undefined;
  };
}
