import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../handlers/types';
import type { HttpRequest } from '../http/client';
import { createAnthropicProvider, createOpenAiProvider } from '../llm/providers';
import { createLlmRouter } from '../llm/router';
import { compileForTest, edge, node, recordingHooks, testServices, trigger } from '../test-utils';
import { type FakeAnthropic, type FakeOpenAi, startFakeAnthropic, startFakeOpenAi } from '../testing';

/**
 * Streaming through real providers (fake servers) and the engine: a model call that fails after
 * streaming some text and is retried, or answered by a fallback, tells consumers to drop that text
 * (`llm.restart`), so the live view never shows it twice. Costs of unpriced models are "unknown".
 */
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
});
afterAll(() => Promise.all([openai.close(), anthropic.close()]));
beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

const llm = (fallback: boolean) =>
  createLlmRouter({
    providers: [
      createOpenAiProvider({ apiKey: 'sk-test', baseUrl: openai.url, models: ['gpt-4o-mini', 'llama3.1'] }),
      createAnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: anthropic.url }),
    ],
    fallbackOrder: fallback ? ['openai', 'anthropic'] : [],
  });
const http = {
  async request(req: HttpRequest) {
    return { status: 200, headers: {}, body: 'facts', url: req.url };
  },
};

async function run(nodeDef: ReturnType<typeof node>, fallback = false) {
  const rec = recordingHooks();
  const def = { nodes: [trigger(), nodeDef], edges: [edge('e1', 'start', nodeDef.id)] };
  const agent = compileForTest(def, {
    hooks: rec.hooks,
    services: testServices({ llm: llm(fallback), http }),
  });
  const result = await agent.run({ type: 'manual', data: {} });
  return { result, rec, output: result.state.nodes[nodeDef.id]?.output as { text: string } };
}

/** What a live view shows: tokens appended, `llm.restart` dropping the failed attempt's ones. */
function liveText(events: EngineEvent[]): string {
  const shown: string[] = [];
  for (const e of events) {
    if (e.type === 'llm.token') shown.push(e.token);
    if (e.type === 'llm.restart') {
      const dropped = shown.splice(shown.length - e.discarded.tokens);
      expect(dropped.join('').length).toBe(e.discarded.chars);
    }
  }
  return shown.join('');
}
const restarts = (events: EngineEvent[]) => events.filter((e) => e.type === 'llm.restart');

describe('streamed text across retries and fallbacks', () => {
  it('ai.chat: a step retried after a mid-stream failure restarts its text', async () => {
    openai.enqueue({ text: 'one two three four', streamErrorAfter: 2 }, { text: 'The real answer.' });
    const { rec, output } = await run(node('ask', 'ai', 'chat', { user_prompt: 'Hi', model: 'gpt-4o-mini' }));
    expect(output.text).toBe('The real answer.');
    expect(liveText(rec.events)).toBe('The real answer.');
    expect(restarts(rec.events)).toEqual([
      { type: 'llm.restart', node_id: 'ask', reason: 'retry', discarded: { tokens: 2, chars: 8 } },
    ]);
    // The restart comes before the retry notice, i.e. before the new attempt streams.
    const types = rec.events.map((e) => e.type);
    expect(types.indexOf('llm.restart')).toBeLessThan(types.indexOf('step.retry'));
    expect(rec.calls.map((c) => `${c.hook}:${c.node_id}`)).toContain('fail:ask');
  });

  it('ai.chat: a router fallback after partial text restarts it too', async () => {
    openai.enqueue({ text: 'half an answer', streamErrorAfter: 2 });
    anthropic.enqueue({ text: 'Claude answers.' });
    const { rec, output } = await run(
      node('ask', 'ai', 'chat', { user_prompt: 'Hi', model: 'gpt-4o-mini' }),
      true,
    );
    expect(output.text).toBe('Claude answers.');
    expect(liveText(rec.events)).toBe('Claude answers.');
    expect(restarts(rec.events)).toMatchObject([{ reason: 'fallback', discarded: { tokens: 2 } }]);
    expect(rec.events.some((e) => e.type === 'step.retry')).toBe(false);
  });

  it("agent: a retried model call drops only its own text, not the earlier calls'", async () => {
    openai.enqueue(
      {
        text: 'Let me check. ',
        toolCalls: [{ name: 'http_request', arguments: { url: 'https://x.test/a' } }],
      },
      { text: 'Based on the facts', streamErrorAfter: 3 },
      { text: 'Final: facts.' },
    );
    const { rec, output } = await run(
      node('agent', 'agent', 'tool_agent', {
        role: 'Researcher',
        goal: 'Find facts',
        task_description: 'Look it up',
        model: 'gpt-4o-mini',
        tools: [{ type: 'http_request' }],
      }),
    );
    expect(output.text).toBe('Final: facts.');
    expect(liveText(rec.events)).toBe('Let me check. Final: facts.');
    expect(restarts(rec.events)).toMatchObject([{ reason: 'retry', discarded: { tokens: 3 } }]);
    expect(openai.requests).toHaveLength(3);
  });
});

describe('unknown cost', () => {
  it('surfaces cost_known in the step of an ai node and an agent', async () => {
    openai.enqueue({ text: 'a', usage: { input: 100, output: 10 } });
    const unknown = await run(node('ask', 'ai', 'chat', { user_prompt: 'Hi', model: 'llama3.1' }));
    expect(unknown.rec.calls.find((c) => c.hook === 'complete' && c.node_id === 'ask')).toMatchObject({
      cost: 0,
      cost_known: false,
      tokens: { input: 100, output: 10 },
    });

    openai.enqueue({ text: 'b', usage: { input: 100, output: 10 } });
    const known = await run(node('ask', 'ai', 'chat', { user_prompt: 'Hi', model: 'gpt-4o-mini' }));
    const step = known.rec.calls.find((c) => c.hook === 'complete' && c.node_id === 'ask');
    expect(step).toMatchObject({ cost_known: true });
    expect(step?.hook === 'complete' && step.cost).toBeCloseTo((100 * 0.15 + 10 * 0.6) / 1e6, 12);

    openai.enqueue({ text: 'c' });
    const agent = await run(
      node('agent', 'agent', 'tool_agent', {
        role: 'R',
        goal: 'G',
        task_description: 'T',
        model: 'llama3.1',
      }),
    );
    expect(agent.rec.calls.find((c) => c.hook === 'complete' && c.node_id === 'agent')).toMatchObject({
      cost_known: false,
    });
  });
});
