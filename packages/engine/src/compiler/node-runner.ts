import type { DefinitionNode } from '@agentflow/contracts';
import { interrupt, isGraphInterrupt, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { errorCode, isRetryable, StepError, StepTimeoutError, VariableError } from '../errors';
import type {
  EngineServices,
  HandlerContext,
  HandlerEvent,
  HandlerResult,
  NodeHandler,
} from '../handlers/types';
import { backoffDelay, noRetry, type RetryPolicy, retryPolicy, shouldRetry } from '../retry';
import { abortError } from '../sleep';
import { compileValue, type Resolver, type Scope } from '../variables/resolve';
import type { StepHooks } from './hooks';
import { makeScope } from './scope';
import type { EngineState, EngineUpdate, NodeResult } from './state';

/** What a compiler-made handler (the loop controller) may add to a step's state update. */
export type InternalResult = HandlerResult & {
  update?: { nodes?: Record<string, NodeResult | null> } & Omit<EngineUpdate, 'nodes'>;
};

export interface NodeRuntime {
  node: DefinitionNode;
  handler: NodeHandler;
  innermostLoop: string | undefined;
  predecessors: string[];
  services: EngineServices;
  hooks: StepHooks;
  /** Output nodes also write the run's `output` channel. */
  isOutput: boolean;
  run?: (ctx: HandlerContext<unknown>) => Promise<InternalResult> | InternalResult;
}

export type NodeFunction = (state: EngineState, config: LangGraphRunnableConfig) => Promise<EngineUpdate>;

/**
 * Wraps a handler into a LangGraph node: resolve the config (templates precompiled here, once),
 * call the hooks, run the attempt under the run's AbortSignal and the node's timeout, retry
 * retryable errors with backoff, and turn the result into a state update.
 */
export function makeNodeFunction(rt: NodeRuntime): NodeFunction {
  const { node, handler, services, hooks } = rt;
  const run = rt.run ?? ((ctx: HandlerContext<unknown>) => handler.run(ctx));
  const lazyKeys = new Set(handler.lazyKeys ?? []);
  const eager: Record<string, unknown> = {};
  const lazy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node.config)) (lazyKeys.has(k) ? lazy : eager)[k] = v;
  const resolveEager = compileValue(eager);
  const hasLazy = Object.keys(lazy).length > 0;
  const settings = node.config as { timeout_ms?: number; retry?: Parameters<typeof retryPolicy>[0] };
  const timeoutMs = settings.timeout_ms ?? handler.defaultTimeoutMs;
  const policy: RetryPolicy = handler.retriesInternally
    ? noRetry
    : retryPolicy(settings.retry, handler.defaultRetry);
  const resolverCache = new Map<unknown, Resolver>();
  const base = {
    node_id: node.id,
    type: node.type,
    subtype: node.subtype,
    label: node.label,
    replayable: handler.replayable === true,
  };

  return async (state, config) => {
    const runSignal = config.signal;
    const scope = makeScope(state, rt.innermostLoop);
    // Text streamed since the attempt started (or the handler's own last restart): what a
    // retry of the whole step tells consumers to drop.
    let streamed = { tokens: 0, chars: 0 };
    const emit = (event: HandlerEvent) => {
      if (event.type === 'llm.token') {
        streamed.tokens++;
        streamed.chars += event.token.length;
      } else if (event.type === 'llm.restart') streamed = { tokens: 0, chars: 0 };
      const full = { ...event, node_id: node.id };
      hooks.onEvent?.(full);
      config.writer?.(full);
    };
    let input: Record<string, unknown>;
    const resolveStarted = performance.now();
    try {
      const resolved = resolveEager(scope) as Record<string, unknown>;
      input = hasLazy ? { ...resolved, ...lazy } : resolved;
    } catch (err) {
      await fail(err, 1, undefined, resolveStarted, false);
      throw new StepError(node.id, err, 1);
    }

    for (let attempt = 1; ; attempt++) {
      await hooks.onStepStart?.({ ...base, attempt, input });
      const started = performance.now();
      const guard = attemptSignal(runSignal, timeoutMs, node.id);
      const ctx: HandlerContext<unknown> = {
        nodeId: node.id,
        label: node.label,
        predecessors: rt.predecessors,
        config: input,
        state,
        signal: guard.signal,
        services,
        attempt,
        emit,
        resolve: (value, opts) => resolveNow(value, scope, resolverCache, opts?.soft ?? false),
        interrupt: (value) => interrupt(value),
      };
      let result: InternalResult;
      try {
        const pending = run(ctx);
        // Synchronous handlers (logic, transform) skip the abort race: nothing to interrupt.
        result = pending instanceof Promise ? await raceAbort(pending, guard.signal) : pending;
      } catch (raw) {
        guard.dispose();
        if (isGraphInterrupt(raw)) {
          emit({ type: 'step.waiting_approval', request: raw.interrupts[0]?.value ?? null });
          throw raw;
        }
        const err = guard.timedOut() ? new StepTimeoutError(node.id, timeoutMs ?? 0) : raw;
        const retry = shouldRetry(policy, attempt, err, runSignal);
        await fail(err, attempt, input, started, retry);
        if (!retry) throw new StepError(node.id, runSignal?.aborted ? abortError(runSignal) : err, attempt);
        const delay = backoffDelay(policy, attempt, err);
        if (streamed.tokens > 0) emit({ type: 'llm.restart', reason: 'retry', discarded: streamed });
        emit({
          type: 'step.retry',
          attempt,
          delay_ms: delay,
          error: (err as Error).message,
          code: errorCode(err),
        });
        await services.sleep(delay, runSignal);
        continue;
      }
      guard.dispose();
      const duration_ms = performance.now() - started;
      await hooks.onStepComplete?.({
        ...base,
        attempt,
        input,
        output: result.output,
        duration_ms,
        ...(result.branch === undefined ? {} : { branch: result.branch }),
        ...(result.tokens ? { tokens: result.tokens } : {}),
        ...(result.cost === undefined ? {} : { cost: result.cost }),
        ...(result.cost_known === undefined ? {} : { cost_known: result.cost_known }),
      });
      return toUpdate(node.id, result, rt.isOutput);
    }
  };

  async function fail(err: unknown, attempt: number, input: unknown, started: number, willRetry: boolean) {
    const error = err instanceof Error ? err : new Error(String(err));
    await hooks.onStepFail?.({
      ...base,
      attempt,
      ...(input === undefined ? {} : { input }),
      error,
      code: errorCode(err),
      retryable: isRetryable(err),
      will_retry: willRetry,
      duration_ms: performance.now() - started,
    });
  }
}

function toUpdate(nodeId: string, result: InternalResult, isOutput: boolean): EngineUpdate {
  const own: NodeResult =
    result.branch === undefined
      ? { output: result.output }
      : { output: result.output, branch: result.branch };
  const update: EngineUpdate = {
    ...result.update,
    nodes: { ...result.update?.nodes, [nodeId]: own },
    steps: [nodeId],
  };
  if (isOutput) update.output = result.output;
  return update;
}

function resolveNow(value: unknown, scope: Scope, cache: Map<unknown, Resolver>, soft: boolean): unknown {
  let resolver = cache.get(value);
  if (!resolver) {
    resolver = compileValue(value);
    cache.set(value, resolver);
  }
  try {
    return resolver(scope);
  } catch (err) {
    if (soft && err instanceof VariableError) return undefined;
    throw err;
  }
}

/** The attempt's signal: the run's, plus the node timeout when there is one. */
function attemptSignal(runSignal: AbortSignal | undefined, timeoutMs: number | undefined, nodeId: string) {
  if (timeoutMs === undefined) {
    return { signal: runSignal ?? neverAborted, timedOut: () => false, dispose: () => {} };
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new StepTimeoutError(nodeId, timeoutMs));
  }, timeoutMs);
  const onRunAbort = () => controller.abort(runSignal?.reason);
  if (runSignal?.aborted) onRunAbort();
  else runSignal?.addEventListener('abort', onRunAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      runSignal?.removeEventListener('abort', onRunAbort);
    },
  };
}

const neverAborted = new AbortController().signal;

/** Settles as soon as `signal` aborts, even if the handler ignores it: the run stops promptly. */
function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal === neverAborted) return pending;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
