import { describe, expect, it } from 'vitest';
import { DefinitionInvalidError } from '../errors';
import { compileForTest, edge, node, recordingHooks, trigger } from '../test-utils';

const run = (definition: unknown, data: Record<string, unknown> = {}, hooks = recordingHooks()) =>
  compileForTest(definition, { hooks: hooks.hooks }).run({ type: 'manual', data });
const completed = async (p: ReturnType<typeof run>) => {
  const r = await p;
  if (r.status !== 'completed') throw new Error(`expected completed, got ${r.status}`);
  return r;
};
const ran = (r: Awaited<ReturnType<typeof completed>>) => r.state.steps;

describe('compiled graphs', () => {
  it('runs a chain: trigger -> ai.chat -> transform.set -> output.respond, reporting every step', async () => {
    const rec = recordingHooks();
    const def = {
      nodes: [
        trigger(),
        node('ask', 'ai', 'chat', { user_prompt: 'Hi {{trigger.data.name}}', model: 'echo' }),
        node('shape', 'transform', 'set', {
          values: { reply: '{{node_ask.output.text}}', n: '{{trigger.data.n}}' },
        }),
        node('out', 'output', 'respond', { body: '{{node_shape.output}}', status_code: 201 }),
      ],
      edges: [edge('e1', 'start', 'ask'), edge('e2', 'ask', 'shape'), edge('e3', 'shape', 'out')],
    };
    const r = await completed(run(def, { name: 'Ada', n: 2 }, rec));
    expect(r.output).toEqual({ body: { reply: '[echo] Hi Ada', n: 2 }, status_code: 201, headers: {} });
    expect(ran(r)).toEqual(['start', 'ask', 'shape', 'out']);
    expect(rec.calls.map((c) => `${c.hook}:${c.node_id}`)).toEqual([
      'start:start',
      'complete:start',
      'start:ask',
      'complete:ask',
      'start:shape',
      'complete:shape',
      'start:out',
      'complete:out',
    ]);
    const ask = rec.calls.find((c) => c.hook === 'complete' && c.node_id === 'ask');
    expect(ask).toMatchObject({
      input: { user_prompt: 'Hi Ada', model: 'echo' },
      output: { text: '[echo] Hi Ada' },
      cost: 0,
      attempt: 1,
    });
    expect(ask?.hook === 'complete' && ask.tokens?.output).toBeGreaterThan(0);
    expect(rec.events.filter((e) => e.type === 'llm.token' && e.node_id === 'ask')).toHaveLength(3);
  });

  const ifElseDef = {
    nodes: [
      trigger(),
      node('check', 'logic', 'if_else', {
        condition: { left: '{{trigger.data.amount}}', operator: 'gt', right: 100 },
      }),
      node('big', 'transform', 'set', { values: { size: 'big' } }),
      node('small', 'transform', 'set', { values: { size: 'small' } }),
      node('join', 'logic', 'merge', {}),
      node('out', 'output', 'respond', {
        body: '{{node_big.output.size | default: "?"}}/{{node_small.output.size | default: "?"}}',
      }),
    ],
    edges: [
      edge('e1', 'start', 'check'),
      edge('e2', 'check', 'big', { source_handle: 'true' }),
      edge('e3', 'check', 'small', { source_handle: 'false' }),
      edge('e4', 'big', 'join'),
      edge('e5', 'small', 'join'),
      edge('e6', 'join', 'out'),
    ],
  };

  it('if/else takes the true branch, and re-joins through merge', async () => {
    const r = await completed(run(ifElseDef, { amount: 250 }));
    expect(ran(r)).toEqual(['start', 'check', 'big', 'join', 'out']);
    expect(r.output).toMatchObject({ body: 'big/?' });
    expect(r.state.nodes.join?.output).toEqual({ big: { size: 'big' } });
  });

  it('if/else takes the false branch', async () => {
    const r = await completed(run(ifElseDef, { amount: '99' }));
    expect(ran(r)).toEqual(['start', 'check', 'small', 'join', 'out']);
    expect(r.output).toMatchObject({ body: '?/small' });
  });

  it('switch routes to the matching case or default', async () => {
    const def = {
      nodes: [
        trigger(),
        node('route', 'logic', 'switch', {
          value: '{{trigger.data.tier}}',
          cases: [
            { id: 'gold', value: 'gold' },
            { id: 'silver', value: 'silver' },
          ],
        }),
        node('g', 'transform', 'set', { values: { v: 'G' } }),
        node('s', 'transform', 'set', { values: { v: 'S' } }),
        node('d', 'transform', 'set', { values: { v: 'D' } }),
      ],
      edges: [
        edge('e1', 'start', 'route'),
        edge('e2', 'route', 'g', { source_handle: 'gold' }),
        edge('e3', 'route', 's', { source_handle: 'silver' }),
        edge('e4', 'route', 'd', { source_handle: 'default' }),
      ],
    };
    for (const [tier, id] of [
      ['gold', 'g'],
      ['silver', 's'],
      ['bronze', 'd'],
    ]) {
      const r = await completed(run(def, { tier }));
      expect(ran(r)).toEqual(['start', 'route', id]);
    }
  });

  it('classify branches by label; edge conditions guard plain edges', async () => {
    const def = {
      nodes: [
        trigger(),
        node('kind', 'ai', 'classify', {
          user_prompt: '{{trigger.data.text}}',
          labels: ['refund', 'question'],
        }),
        node('refund', 'transform', 'set', {}),
        node('question', 'transform', 'set', {}),
        node('vip', 'transform', 'set', {}),
      ],
      edges: [
        edge('e1', 'start', 'kind'),
        edge('e2', 'kind', 'refund', { source_handle: 'refund' }),
        edge('e3', 'kind', 'question', { source_handle: 'question' }),
        edge('e4', 'kind', 'vip', { condition: { left: '{{trigger.data.vip}}', operator: 'is_true' } }),
      ],
    };
    expect(ran(await completed(run(def, { text: 'I want a refund', vip: true })))).toEqual([
      'start',
      'kind',
      'refund',
      'vip',
    ]);
    expect(ran(await completed(run(def, { text: 'a question' })))).toEqual(['start', 'kind', 'question']);
  });

  it('loops over 3 items, collecting one result per iteration, then continues on "done"', async () => {
    const def = {
      nodes: [
        trigger(),
        node('each', 'logic', 'loop', { items: '{{trigger.data.items}}' }),
        node('greet', 'ai', 'chat', { user_prompt: 'Hello {{loop.item.name}} #{{loop.index}}' }),
        node('shape', 'transform', 'set', {
          values: { text: '{{node_greet.output.text}}', of: '{{loop.count}}' },
        }),
        node('out', 'output', 'respond', { body: '{{node_each.output}}' }),
      ],
      edges: [
        edge('e1', 'start', 'each'),
        edge('e2', 'each', 'greet', { source_handle: 'each' }),
        edge('e3', 'greet', 'shape'),
        edge('e4', 'each', 'out', { source_handle: 'done' }),
      ],
    };
    const r = await completed(run(def, { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }));
    expect(r.output).toEqual({
      body: {
        count: 3,
        results: [
          { text: '[echo] Hello a #0', of: 3 },
          { text: '[echo] Hello b #1', of: 3 },
          { text: '[echo] Hello c #2', of: 3 },
        ],
      },
      status_code: 200,
      headers: {},
    });
    expect(r.state.loops).toEqual({});
    expect(r.state.nodes.greet).toBeUndefined();
    const many = await completed(
      run(def, { items: Array.from({ length: 40 }, (_, i) => ({ name: `n${i}` })) }),
    );
    expect((many.output as { body: { count: number } }).body.count).toBe(40);
  });

  it('a parallel fan-out joins with merge mode "all" exactly once', async () => {
    const def = {
      nodes: [
        trigger(),
        node('fast', 'transform', 'set', { values: { v: 1 } }),
        node('slow1', 'logic', 'delay', { ms: 5 }),
        node('slow2', 'transform', 'set', { values: { v: 2 } }),
        node('join', 'logic', 'merge', { mode: 'all' }),
      ],
      edges: [
        edge('e1', 'start', 'fast'),
        edge('e2', 'start', 'slow1'),
        edge('e3', 'slow1', 'slow2'),
        edge('e4', 'fast', 'join'),
        edge('e5', 'slow2', 'join'),
      ],
    };
    const r = await completed(run(def));
    expect(ran(r).filter((id) => id === 'join')).toHaveLength(1);
    expect(r.output).toEqual({ fast: { v: 1 }, slow2: { v: 2 } });
  });

  it('a missing variable fails the step with its path', async () => {
    const rec = recordingHooks();
    const def = {
      nodes: [trigger(), node('a', 'transform', 'set', { values: { x: '{{trigger.data.customer.email}}' } })],
      edges: [edge('e1', 'start', 'a')],
    };
    await expect(run(def, {}, rec)).rejects.toMatchObject({
      code: 'VARIABLE_MISSING',
      nodeId: 'a',
      message:
        'Step "a" failed: Variable {{trigger.data.customer.email}} is missing: trigger.data has no "customer". Add "| default: ..." if it is optional',
    });
    expect(rec.calls.at(-1)).toMatchObject({
      hook: 'fail',
      node_id: 'a',
      code: 'VARIABLE_MISSING',
      will_retry: false,
    });
  });

  it('refuses invalid definitions; a knowledge search needs base ids in uuid form', () => {
    expect(() => compileForTest({ nodes: [], edges: [] })).toThrow(DefinitionInvalidError);
    const kb = (id: string) => ({
      nodes: [trigger(), node('k', 'knowledge', 'search', { knowledge_base_ids: [id], query: 'q' })],
      edges: [edge('e1', 'start', 'k')],
    });
    expect(() => compileForTest(kb('kb'))).toThrow(DefinitionInvalidError);
    expect(() => compileForTest(kb('7b0c6c2e-3f7a-4a51-9d8e-0f4c1f0b9a11'))).not.toThrow();
  });

  it('streams updates and handler events (the executions layer path)', async () => {
    const def = {
      nodes: [trigger(), node('ask', 'ai', 'chat', { user_prompt: 'one two' })],
      edges: [edge('e1', 'start', 'ask')],
    };
    const agent = compileForTest(def);
    const seen: string[] = [];
    const stream = await agent.graph.stream(
      { trigger: { type: 'manual', data: {} } },
      { ...agent.config(), streamMode: ['updates', 'custom'] },
    );
    for await (const [mode, chunk] of stream) {
      seen.push(
        mode === 'updates'
          ? `update:${Object.keys(chunk as object).join()}`
          : `custom:${(chunk as { type: string }).type}`,
      );
    }
    expect(seen).toEqual([
      'update:node_start',
      'custom:llm.token',
      'custom:llm.token',
      'custom:llm.token',
      'update:node_ask',
    ]);
  });

  it('runs every trigger subtype', async () => {
    for (const [subtype, config] of [
      ['api', {}],
      ['webhook', {}],
      ['schedule', { cron: '0 * * * *' }],
    ] as const) {
      const def = { nodes: [node('t', 'trigger', subtype, config)], edges: [] };
      const r = await compileForTest(def).run({ type: subtype, data: { k: 1 } });
      expect(r).toMatchObject({ status: 'completed', output: { k: 1 } });
    }
  });
});
