import { type Condition, nodeCatalog } from '@agentflow/contracts';
import { EngineError } from '../errors';
import { evaluateCondition, toleratesMissing } from '../variables/conditions';
import { defineHandler, type HandlerContext } from './types';

/** Resolves a condition's operands now (softly for exists-style operators) and evaluates it. */
export function checkCondition(cond: Condition, ctx: Pick<HandlerContext<unknown>, 'resolve'>) {
  const left = ctx.resolve(cond.left, { soft: toleratesMissing(cond.operator) });
  const right = cond.right === undefined ? undefined : ctx.resolve(cond.right);
  return { result: evaluateCondition(cond.operator, left, right), left, right };
}

export const ifElseHandler = defineHandler({
  type: 'logic',
  subtype: 'if_else',
  replayable: true,
  configSchema: nodeCatalog.logic.if_else.configSchema,
  lazyKeys: ['condition'],
  run(ctx) {
    const outcome = checkCondition(ctx.config.condition, ctx);
    return { output: outcome, branch: outcome.result ? 'true' : 'false' };
  },
});

export const switchHandler = defineHandler({
  type: 'logic',
  subtype: 'switch',
  replayable: true,
  configSchema: nodeCatalog.logic.switch.configSchema,
  run({ config }) {
    const match = config.cases.find((c) => evaluateCondition(c.operator, config.value, c.value));
    return { output: { value: config.value, case: match?.id ?? null }, branch: match?.id ?? 'default' };
  },
});

export const delayHandler = defineHandler({
  type: 'logic',
  subtype: 'delay',
  replayable: true,
  configSchema: nodeCatalog.logic.delay.configSchema,
  // The delay is bounded by its schema (5 min); this only guards a stuck timer.
  defaultTimeoutMs: 330_000,
  async run({ config, services, signal }) {
    const ms = config.ms ?? Math.round((config.seconds ?? 0) * 1000);
    await services.sleep(ms, signal);
    return { output: { waited_ms: ms } };
  },
});

/**
 * Loop entry: resolves `items` once. The compiler owns iteration (frames in the state), so a body
 * step can pause with interrupt() and resume from a checkpoint like any other step.
 */
export const loopHandler = defineHandler({
  type: 'logic',
  subtype: 'loop',
  replayable: true,
  configSchema: nodeCatalog.logic.loop.configSchema,
  run({ config, nodeId }) {
    const items = config.items;
    if (!Array.isArray(items)) {
      throw new EngineError(
        'LOOP_ITEMS_NOT_A_LIST',
        `Loop "${nodeId}": "items" must resolve to a list, got ${items === null ? 'null' : typeof items}`,
      );
    }
    if (items.length > config.max_iterations && config.on_limit === 'fail') {
      throw new EngineError(
        'LOOP_LIMIT_EXCEEDED',
        `Loop "${nodeId}" has ${items.length} items, more than max_iterations (${config.max_iterations})`,
      );
    }
    return { output: { items: items.slice(0, config.max_iterations) } };
  },
});

export const mergeHandler = defineHandler({
  type: 'logic',
  subtype: 'merge',
  replayable: true,
  configSchema: nodeCatalog.logic.merge.configSchema,
  run({ state, predecessors }) {
    const inputs: Record<string, unknown> = {};
    for (const id of predecessors) {
      const result = state.nodes[id];
      if (result) inputs[id] = result.output;
    }
    return { output: inputs };
  },
});
