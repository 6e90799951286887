import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import { emptyState, handlerContext, testServices } from '../test-utils';
import { delayHandler, ifElseHandler, loopHandler, mergeHandler, switchHandler } from './logic';
import { triggerHandlers } from './trigger';

const parse = <S extends { parse: (v: unknown) => unknown }>(schema: S, v: unknown) =>
  schema.parse(v) as ReturnType<S['parse']>;

describe('trigger', () => {
  const manual = triggerHandlers[0];
  it('puts the trigger data out, validated against input_schema', async () => {
    const state = emptyState({ trigger: { type: 'manual', data: { email: 'a@b.c' } } });
    const schema = { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] };
    const config = parse(nodeCatalog.trigger.manual.configSchema, { input_schema: schema });
    expect(await manual?.run(handlerContext(config, { state }))).toEqual({ output: { email: 'a@b.c' } });
    const bad = emptyState({ trigger: { type: 'manual', data: { email: 3 } } });
    await expect(async () => manual?.run(handlerContext(config, { state: bad }))).rejects.toMatchObject({
      code: 'TRIGGER_INPUT_INVALID',
    });
  });
});

describe('if_else', () => {
  const state = emptyState({ trigger: { type: 'manual', data: { score: 7 } } });
  const run = (condition: unknown) => ifElseHandler.run(handlerContext({ condition } as never, { state }));
  it('takes the true and the false branch', async () => {
    expect(await run({ left: '{{trigger.data.score}}', operator: 'gt', right: 5 })).toMatchObject({
      branch: 'true',
      output: { result: true, left: 7 },
    });
    expect(await run({ left: '{{trigger.data.score}}', operator: 'lt', right: '5' })).toMatchObject({
      branch: 'false',
    });
  });
  it('lets exists-style operators see a missing value; others fail clearly', async () => {
    expect(await run({ left: '{{trigger.data.nope}}', operator: 'not_exists' })).toMatchObject({
      branch: 'true',
    });
    await expect(async () =>
      run({ left: '{{trigger.data.nope}}', operator: 'eq', right: 1 }),
    ).rejects.toMatchObject({ code: 'VARIABLE_MISSING' });
  });
});

describe('switch', () => {
  const config = parse(nodeCatalog.logic.switch.configSchema, {
    value: 'x',
    cases: [
      { id: 'small', operator: 'lt', value: 10 },
      { id: 'ten', value: 10 },
    ],
  });
  it('picks the first matching case, else default', async () => {
    expect(await switchHandler.run(handlerContext({ ...config, value: 3 }))).toMatchObject({
      branch: 'small',
      output: { case: 'small' },
    });
    expect(await switchHandler.run(handlerContext({ ...config, value: '10' }))).toMatchObject({
      branch: 'ten',
    });
    expect(await switchHandler.run(handlerContext({ ...config, value: 99 }))).toMatchObject({
      branch: 'default',
      output: { case: null },
    });
  });
});

describe('loop entry', () => {
  // A resolved template can be anything; the schema only knows it as a string.
  const config = (items: unknown, extra = {}) => ({
    ...parse(nodeCatalog.logic.loop.configSchema, { items: 'x', ...extra }),
    items: items as string | unknown[],
  });
  it('needs a list, bounded by max_iterations', async () => {
    expect(await loopHandler.run(handlerContext(config([1, 2])))).toEqual({ output: { items: [1, 2] } });
    await expect(async () => loopHandler.run(handlerContext(config('nope')))).rejects.toMatchObject({
      code: 'LOOP_ITEMS_NOT_A_LIST',
    });
    await expect(async () =>
      loopHandler.run(handlerContext(config([1, 2, 3], { max_iterations: 2 }))),
    ).rejects.toMatchObject({
      code: 'LOOP_LIMIT_EXCEEDED',
    });
    expect(
      await loopHandler.run(handlerContext(config([1, 2, 3], { max_iterations: 2, on_limit: 'truncate' }))),
    ).toEqual({
      output: { items: [1, 2] },
    });
  });
});

describe('delay', () => {
  it('waits through the injectable sleep, in ms or seconds', async () => {
    const services = testServices();
    await delayHandler.run(
      handlerContext(parse(nodeCatalog.logic.delay.configSchema, { ms: 250 }), { services }),
    );
    await delayHandler.run(
      handlerContext(parse(nodeCatalog.logic.delay.configSchema, { seconds: 1.5 }), { services }),
    );
    expect(services.slept).toEqual([250, 1500]);
  });
});

describe('merge', () => {
  it('collects the outputs of the predecessors that ran', async () => {
    const state = emptyState({ nodes: { a: { output: 1 }, c: { output: 'x' } } });
    const out = await mergeHandler.run(
      handlerContext({ mode: 'any' as const }, { state, predecessors: ['a', 'b', 'c'] }),
    );
    expect(out).toEqual({ output: { a: 1, c: 'x' } });
  });
});
