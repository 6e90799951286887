import { MemorySaver } from '@langchain/langgraph';
import { type CompileOptions, compileDefinition } from './compiler/compile';
import type { StepCompleteEvent, StepFailEvent, StepStartEvent } from './compiler/hooks';
import { makeScope } from './compiler/scope';
import type { EngineState } from './compiler/state';
import { VariableError } from './errors';
import type { EngineEvent, EngineServices, HandlerContext } from './handlers/types';
import { createEchoProvider } from './llm/echo';
import { createLlmRouter } from './llm/router';
import { resolveValue } from './variables/resolve';

type Obj = Record<string, unknown>;

/** Test-only builders: a definition node / edge with the boring fields filled in. */
export const node = (id: string, type: string, subtype: string, config: Obj = {}) => ({
  id,
  type,
  subtype,
  label: id,
  config,
  position: { x: 0, y: 0 },
});
export const edge = (id: string, source: string, target: string, extra: Obj = {}) => ({
  id,
  source,
  target,
  ...extra,
});
export const trigger = (id = 'start') => node(id, 'trigger', 'manual');

/** Services that never touch the network or real clocks unless a test asks for it. */
export function testServices(overrides: Partial<EngineServices> = {}): EngineServices & { slept: number[] } {
  const slept: number[] = [];
  let clock = 1_700_000_000_000;
  return {
    llm: createLlmRouter({ providers: [createEchoProvider()] }),
    http: {
      request: async () => {
        throw new Error('no HTTP in this test');
      },
    },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    slept,
    ...overrides,
  };
}

/** Records every hook call, in order. */
export function recordingHooks() {
  const calls: Array<
    | ({ hook: 'start' } & StepStartEvent)
    | ({ hook: 'complete' } & StepCompleteEvent)
    | ({ hook: 'fail' } & StepFailEvent)
  > = [];
  const events: EngineEvent[] = [];
  return {
    calls,
    events,
    hooks: {
      onStepStart: (e: StepStartEvent) => void calls.push({ hook: 'start', ...e }),
      onStepComplete: (e: StepCompleteEvent) => void calls.push({ hook: 'complete', ...e }),
      onStepFail: (e: StepFailEvent) => void calls.push({ hook: 'fail', ...e }),
      onEvent: (e: EngineEvent) => void events.push(e),
    },
  };
}

/** Compile with a MemorySaver and test services. */
export function compileForTest(definition: unknown, opts: CompileOptions = {}) {
  return compileDefinition(definition, {
    checkpointer: new MemorySaver(),
    services: testServices(),
    ...opts,
  });
}

export function emptyState(partial: Partial<EngineState> = {}): EngineState {
  return { trigger: { type: 'manual', data: {} }, nodes: {}, loops: {}, steps: [], output: null, ...partial };
}

/** A handler context for unit tests (config already resolved by the caller). */
export function handlerContext<C>(
  config: C,
  overrides: Partial<HandlerContext<C>> = {},
): HandlerContext<C> & { emitted: unknown[] } {
  const emitted: unknown[] = [];
  const state = overrides.state ?? emptyState();
  return {
    nodeId: 'n1',
    label: 'n1',
    predecessors: [],
    config,
    state,
    signal: new AbortController().signal,
    services: testServices(),
    attempt: 1,
    emit: (e) => void emitted.push(e),
    resolve: (v, opts) => {
      try {
        return resolveValue(v, makeScope(state as EngineState, undefined));
      } catch (err) {
        if (opts?.soft && err instanceof VariableError) return undefined;
        throw err;
      }
    },
    interrupt: () => {
      throw new Error('interrupt() outside a graph');
    },
    emitted,
    ...overrides,
  };
}
