import type { AgentDefinition, TestAgentBody, TestAgentResult, TestStep } from '@agentflow/contracts';
import { compileDefinition, EngineError, type RunResult, type StepHooks } from '@agentflow/engine';
import { MemorySaver } from '@langchain/langgraph';
import { inOrg, type ServiceContext } from '../context';
import { buildRunServices, type RunServicesDeps } from './llm';
import { getAgentRow, readSettings } from './present';
import { validOrThrow } from './publish';

/** A dry run holds an HTTP request open, so it is capped well below the agent's own timeout. */
export const maxDryRunSeconds = 60;

export interface DryRunOptions {
  /** Keyring (model keys, credentials) and SSRF policies for model endpoints and the HTTP node. */
  llm: RunServicesDeps;
  /** The request's abort (client went away); combined with the time limit. */
  signal?: AbortSignal;
  /** Override of maxDryRunSeconds (tests). */
  maxSeconds?: number;
}

type StepError = { code: string; message: string };

/**
 * Runs the draft (or the given definition) in memory: the engine with a MemorySaver, the org's LLM
 * router, hooks collecting every step. Nothing is written (no execution rows, no usage, no billing).
 * A human node ends the run with `waiting_approval` and its request in `pending_approval`: a dry run
 * cannot be resumed (the checkpointer lives only for the request).
 */
export async function testAgent(
  ctx: ServiceContext,
  id: string,
  body: TestAgentBody,
  opts: DryRunOptions,
): Promise<TestAgentResult> {
  const agent = await inOrg(ctx, (tx) => getAgentRow(tx, ctx, id));
  const definition = validOrThrow(body.definition ?? agent.draftDefinition);
  const limitSeconds = Math.min(
    readSettings(agent.settings).timeout_seconds,
    opts.maxSeconds ?? maxDryRunSeconds,
  );
  const timeout = AbortSignal.timeout(limitSeconds * 1000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const trigger = triggerOf(definition, body.trigger_data);
  const recorder = createStepRecorder();
  const started = performance.now();

  let run: RunResult;
  try {
    const agentGraph = compileDefinition(definition, {
      services: await buildRunServices(ctx, opts.llm),
      hooks: recorder.hooks,
      checkpointer: new MemorySaver(),
    });
    run = await agentGraph.run(trigger, { signal });
  } catch (err) {
    // Only engine errors describe the user's graph; anything else is our bug and becomes a 500.
    if (!(err instanceof EngineError)) throw err;
    const error =
      timeout.aborted && !opts.signal?.aborted
        ? { code: 'EXECUTION_TIMEOUT', message: `The dry run exceeded its ${limitSeconds} s limit.` }
        : { code: err.code, message: err.message };
    recorder.failOpen(error);
    return result('failed', null, error, null, recorder.steps, started);
  }
  if (run.status === 'waiting_approval') {
    return result('waiting_approval', null, null, run.interrupts[0]?.value ?? null, recorder.steps, started);
  }
  return result('completed', run.output, null, null, recorder.steps, started);
}

/** The trigger payload: the request's, else the trigger node's sample_data (what the canvas shows). */
function triggerOf(definition: AgentDefinition, data: Record<string, unknown> | undefined) {
  const node = definition.nodes.find((n) => n.type === 'trigger');
  const sample = node?.config.sample_data;
  const fallback = sample && typeof sample === 'object' ? (sample as Record<string, unknown>) : {};
  return { type: node?.subtype ?? 'manual', data: data ?? fallback };
}

function result(
  status: TestAgentResult['status'],
  output: unknown,
  error: StepError | null,
  pending: unknown,
  steps: TestStep[],
  started: number,
): TestAgentResult {
  const total_tokens = steps.reduce((sum, s) => sum + (s.tokens ? s.tokens.input + s.tokens.output : 0), 0);
  const total_cost = steps.reduce((sum, s) => sum + s.cost, 0);
  return {
    status,
    output: output ?? null,
    error,
    pending_approval: pending ?? null,
    steps,
    total_tokens,
    total_cost,
    duration_ms: round(performance.now() - started),
    test: true,
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * One entry per node run, in start order (a loop body's nodes appear once per iteration). A retry
 * updates its step (attempts, summed duration) instead of adding one.
 */
function createStepRecorder() {
  const steps: TestStep[] = [];
  const open = new Map<string, TestStep>();

  const start = (e: { node_id: string; label: string; type: string; subtype: string }, input: unknown) => {
    const step: TestStep = {
      node_id: e.node_id,
      label: e.label,
      type: e.type,
      subtype: e.subtype,
      status: 'running',
      input,
      output: null,
      error: null,
      tokens: null,
      cost: 0,
      attempts: 1,
      duration_ms: 0,
    };
    steps.push(step);
    open.set(e.node_id, step);
    return step;
  };

  const hooks: StepHooks = {
    onStepStart(e) {
      const current = open.get(e.node_id);
      if (e.attempt > 1 && current) {
        Object.assign(current, { attempts: e.attempt, input: e.input, status: 'running', error: null });
        return;
      }
      start(e, e.input);
    },
    onStepComplete(e) {
      const step = open.get(e.node_id) ?? start(e, e.input);
      Object.assign(step, {
        status: 'completed',
        output: e.output ?? null,
        tokens: e.tokens ?? null,
        cost: e.cost ?? 0,
        duration_ms: round(step.duration_ms + e.duration_ms),
      });
      open.delete(e.node_id);
    },
    onStepFail(e) {
      // Resolving the config fails before onStepStart: the step then starts here.
      const step = open.get(e.node_id) ?? start(e, e.input ?? null);
      step.error = { code: e.code, message: e.error.message };
      step.duration_ms = round(step.duration_ms + e.duration_ms);
      if (e.will_retry) return;
      step.status = 'failed';
      open.delete(e.node_id);
    },
    onEvent(e) {
      if (e.type !== 'step.waiting_approval') return;
      const step = open.get(e.node_id);
      if (step) step.status = 'waiting_approval';
    },
  };

  return {
    steps,
    hooks,
    /** Steps cut off by an abort or another step's failure. */
    failOpen(error: StepError) {
      for (const step of open.values()) {
        if (step.status === 'running') Object.assign(step, { status: 'failed', error });
      }
      open.clear();
    },
  };
}
