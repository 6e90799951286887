import { randomUUID } from 'node:crypto';
import type { AgentDefinition, ApprovalDecision } from '@agentflow/contracts';
import {
  Command,
  type CompiledStateGraph,
  GraphRecursionError,
  type LangGraphRunnableConfig,
} from '@langchain/langgraph';
import { AbortedError, EngineError } from '../errors';
import type { EngineState, EngineStateAnnotation, EngineUpdate, TriggerInput } from './state';

type Spec = (typeof EngineStateAnnotation)['spec'];
export type EngineGraph = CompiledStateGraph<EngineState, EngineUpdate, string, Spec, Spec>;

export interface RunOptions {
  /** The checkpoint thread (the execution id); generated when absent. Needed to resume. */
  threadId?: string;
  signal?: AbortSignal;
}

export interface PendingInterrupt {
  id?: string;
  /** For a human node: `{ kind: 'approval', node_id, message, approvers, timeout_seconds, ... }`. */
  value: unknown;
}

export type RunResult =
  | { status: 'completed'; threadId: string; output: unknown; state: EngineState }
  | { status: 'waiting_approval'; threadId: string; interrupts: PendingInterrupt[]; state: EngineState };

export interface CompiledAgent {
  /** The LangGraph graph, for `stream()` with `config(...)` (the executions layer streams it). */
  graph: EngineGraph;
  /** The validated definition, configs parsed (defaults applied). */
  definition: AgentDefinition;
  recursionLimit: number;
  /** LangGraph config for a run: thread id, signal, recursion limit. */
  config(opts?: RunOptions): LangGraphRunnableConfig & { recursionLimit: number };
  /** Runs from the trigger until the end or a human approval pause. */
  run(trigger: TriggerInput, opts?: RunOptions): Promise<RunResult>;
  /** Resumes a paused run (same threadId) with the approver's decision. */
  resume(decision: ApprovalDecision, opts: RunOptions & { threadId: string }): Promise<RunResult>;
  /**
   * Continues a run from its last checkpoint after its process died: steps whose writes were stored
   * are not run again; the interrupted superstep's other steps run again.
   */
  continue(opts: RunOptions & { threadId: string }): Promise<RunResult>;
  /** What the checkpointer holds for a thread: whether it exists and the interrupts it waits on. */
  inspect(threadId: string): Promise<{ exists: boolean; interrupts: PendingInterrupt[] }>;
}

export function createRunner(
  graph: EngineGraph,
  definition: AgentDefinition,
  recursionLimit: number,
  /** Undefined: no checkpointer. */
  durability: 'sync' | 'async' | undefined,
): CompiledAgent {
  const checkpointed = durability !== undefined;
  const config = (opts: RunOptions = {}) => ({
    recursionLimit,
    configurable: { thread_id: opts.threadId ?? randomUUID() },
    // sync: each superstep's writes are stored before the next superstep starts. async: stored in
    // order in the background (the consumer holds back steps with outside effects until they are).
    // Either way a step recorded completed is in the checkpoint a resumed run starts from.
    ...(durability ? { durability } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const needCheckpointer = (what: string) => {
    if (!checkpointed)
      throw new EngineError('RESUME_UNAVAILABLE', `${what} needs a checkpointer (compile with one)`);
  };

  const invoke = async (input: unknown, opts: RunOptions): Promise<RunResult> => {
    const cfg = config(opts);
    let state: EngineState & { __interrupt__?: PendingInterrupt[] };
    try {
      state = await graph.invoke(input as Parameters<EngineGraph['invoke']>[0], cfg);
    } catch (err) {
      if (opts.signal?.aborted) {
        const reason: unknown = opts.signal.reason;
        const why = reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
        throw new AbortedError(`The execution was aborted${why}`, err);
      }
      if (err instanceof GraphRecursionError) {
        throw new EngineError('STEP_LIMIT_EXCEEDED', `The run exceeded ${recursionLimit} steps`, {
          cause: err,
        });
      }
      throw err;
    }
    const threadId = cfg.configurable.thread_id;
    const { __interrupt__: interrupts, ...values } = state;
    if (interrupts?.length) {
      return {
        status: 'waiting_approval',
        threadId,
        interrupts: interrupts.map((i) => ({ ...(i.id ? { id: i.id } : {}), value: i.value })),
        state: values,
      };
    }
    return { status: 'completed', threadId, output: finalOutput(values), state: values };
  };

  return {
    graph,
    definition,
    recursionLimit,
    config,
    run: (trigger, opts = {}) => invoke({ trigger }, opts),
    resume: (decision, opts) => {
      needCheckpointer('Resuming');
      return invoke(new Command({ resume: decision }), opts);
    },
    continue: (opts) => {
      needCheckpointer('Continuing');
      return invoke(null, opts);
    },
    inspect: async (threadId) => {
      needCheckpointer('Inspecting');
      const snapshot = await graph.getState({ configurable: { thread_id: threadId } });
      const exists = Boolean(snapshot.config?.configurable?.checkpoint_id);
      const interrupts = snapshot.tasks.flatMap((t) =>
        (t.interrupts ?? []).map((i) => ({ ...(i.id ? { id: i.id } : {}), value: i.value })),
      );
      return { exists, interrupts };
    },
  };
}

/** The respond node's output; without one, the output of the last step (a quick test needs no respond). */
function finalOutput(state: EngineState): unknown {
  if (state.output !== null) return state.output;
  const last = state.steps.at(-1);
  return last === undefined ? null : (state.nodes[last]?.output ?? null);
}
