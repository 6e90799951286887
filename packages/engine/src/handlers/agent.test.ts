import { nodeCatalog } from '@agentflow/contracts';
import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../http/client';
import { LlmError } from '../llm/errors';
import { createLlmRouter } from '../llm/router';
import type { ChatRequest, ChatResponse, LlmProvider } from '../llm/types';
import { handlerContext, testServices } from '../test-utils';
import { agentHandler } from './agent';

const agentConfig = (extra: Record<string, unknown> = {}) =>
  nodeCatalog.agent.tool_agent.configSchema.parse({
    role: 'Researcher',
    goal: 'Find facts',
    task_description: 'Look it up',
    ...extra,
  });

/** A provider answering from a script of responses (the last one repeats). */
function scripted(
  script: Array<Partial<ChatResponse> | LlmError>,
): LlmProvider & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    name: 'scripted',
    defaultModel: 'scripted-1',
    supports: () => true,
    estimateCost: () => 0,
    requests,
    async chat(req) {
      requests.push({ ...req, messages: [...req.messages] });
      const step = script[Math.min(requests.length - 1, script.length - 1)];
      if (step instanceof LlmError) throw step;
      return {
        content: '',
        tool_calls: [],
        input_tokens: 3,
        output_tokens: 2,
        cost: 0.001,
        cost_known: true,
        model: req.model,
        provider: 'scripted',
        ...step,
      };
    },
    async embed() {
      throw new Error('unused');
    },
  };
}
const toolCall = { tool_calls: [{ id: 'c1', name: 'http_request', arguments: { url: '/x' } }] };
const fakeHttp = {
  requests: [] as HttpRequest[],
  async request(req: HttpRequest) {
    fakeHttp.requests.push(req);
    return { status: 200, headers: {}, body: 'facts!', url: req.url };
  },
};

describe('agent.tool_agent', () => {
  it('runs the tool loop on the echo model: tool call, result, final answer', async () => {
    const config = agentConfig({
      task_description: 'Fetch tool:http_request {"url":"https://api.example.com/facts"}',
      expected_output: 'A list of facts',
      tools: [{ type: 'http_request', base_url: 'https://api.example.com/' }],
    });
    const ctx = handlerContext(config, { services: testServices({ http: fakeHttp }) });
    const out = await agentHandler.run(ctx);
    expect(fakeHttp.requests.at(-1)).toMatchObject({ method: 'GET', url: 'https://api.example.com/facts' });
    expect(out.output).toMatchObject({ iterations: 2, tool_calls: [{ tool: 'http_request', ok: true }] });
    const text = (out.output as { text: string }).text;
    expect(text).toContain('[echo] Current task: Fetch');
    expect(text).toContain('expected criteria for your final answer: A list of facts');
    expect(text).toContain('- http_request: HTTP 200\nfacts!');
    expect(ctx.emitted).toContainEqual(
      expect.objectContaining({ type: 'agent.tool_call', tool: 'http_request', ok: true }),
    );
  });

  it('gives tool errors back to the model (a URL outside base_url)', async () => {
    const config = agentConfig({
      task_description: 'tool:http_request {"url":"https://elsewhere.example/"}',
      tools: [{ type: 'http_request', base_url: 'https://api.example.com/' }],
    });
    const out = await agentHandler.run(
      handlerContext(config, { services: testServices({ http: fakeHttp }) }),
    );
    expect(out.output).toMatchObject({ tool_calls: [{ ok: false }] });
    expect((out.output as { text: string }).text).toContain(
      'Error: https://elsewhere.example/ is outside https://api.example.com/',
    );
  });

  it('stops at max_iterations and asks for a final answer without tools', async () => {
    const provider = scripted([toolCall, toolCall, toolCall, { content: 'best effort' }]);
    const config = agentConfig({
      max_iterations: 3,
      tools: [{ type: 'http_request', base_url: 'https://api.example.com/' }],
    });
    const out = await agentHandler.run(
      handlerContext(config, {
        services: testServices({ http: fakeHttp, llm: createLlmRouter({ providers: [provider] }) }),
      }),
    );
    expect(provider.requests).toHaveLength(4);
    expect(provider.requests[3]?.tools).toBeUndefined();
    expect(out).toMatchObject({
      output: { text: 'best effort', iterations: 3 },
      tokens: { input: 12, output: 8 },
      cost: 0.004,
    });
  });

  it('keeps to max_rpm (waits on the injectable clock)', async () => {
    const provider = scripted([toolCall, toolCall, toolCall, { content: 'done' }]);
    const services = testServices({ http: fakeHttp, llm: createLlmRouter({ providers: [provider] }) });
    const config = agentConfig({
      max_rpm: 2,
      tools: [{ type: 'http_request', base_url: 'https://api.example.com/' }],
    });
    await agentHandler.run(handlerContext(config, { services }));
    expect(provider.requests).toHaveLength(4);
    // Calls at t=0, 0, then 60 s, 60 s: two per rolling minute.
    expect(services.slept).toEqual([60_000]);
  });

  it('retries a rate-limited model call without replaying the tools', async () => {
    const limited = new LlmError('rate_limit', 'scripted', '429');
    const provider = scripted([toolCall, limited, limited, { content: 'ok' }]);
    const services = testServices({ http: fakeHttp, llm: createLlmRouter({ providers: [provider] }) });
    const before = fakeHttp.requests.length;
    const config = agentConfig({
      retry: { jitter: false, base_delay_ms: 100 },
      tools: [{ type: 'http_request', base_url: 'https://api.example.com/' }],
    });
    const out = await agentHandler.run(handlerContext(config, { services }));
    expect(out.output).toMatchObject({ text: 'ok' });
    expect(services.slept).toEqual([100, 200]);
    expect(fakeHttp.requests.length - before).toBe(1);
  });

  it('as a supervisor, delegates to the coworker the task names', async () => {
    const config = agentConfig({
      role: 'Manager',
      task_description: 'The user wants a poem: ask the writer',
      routes: [
        { id: 'researcher', description: 'finds facts' },
        { id: 'writer', description: 'writes prose' },
      ],
    });
    const out = await agentHandler.run(handlerContext(config));
    expect(out).toMatchObject({ branch: 'writer', output: { route: 'writer', iterations: 1 } });
    expect((out.output as { task: string }).task).toContain('ask the writer');
  });

  it('refuses a knowledge tool when the run has no knowledge search', async () => {
    const config = agentConfig({ tools: [{ type: 'knowledge_search', knowledge_base_ids: [kbId] }] });
    await expect(agentHandler.run(handlerContext(config))).rejects.toMatchObject({
      code: 'KNOWLEDGE_UNAVAILABLE',
    });
  });

  it('answers a knowledge tool call with numbered passages of the bases it names', async () => {
    const searches: unknown[] = [];
    const knowledge = {
      async search(req: { knowledgeBaseIds: string[]; query: string; topK: number }) {
        searches.push({ ids: req.knowledgeBaseIds, query: req.query, topK: req.topK });
        return [{ content: 'Refunds take 14 days.', score: 0.9, document_name: 'policy.md', chunk_index: 2 }];
      },
    };
    const provider = scripted([
      { tool_calls: [{ id: 'c1', name: 'knowledge_search', arguments: { query: 'refund period' } }] },
      { content: 'Fourteen days.' },
    ]);
    const services = testServices({
      knowledge,
      llm: createLlmRouter({ providers: [provider], defaultModel: 'scripted-1' }),
    });
    const config = agentConfig({ tools: [{ type: 'knowledge_search', knowledge_base_ids: [kbId] }] });
    const ctx = handlerContext(config, { services });
    const out = await agentHandler.run(ctx);
    expect(searches).toEqual([{ ids: [kbId], query: 'refund period', topK: 4 }]);
    expect(ctx.emitted).toContainEqual(
      expect.objectContaining({
        type: 'agent.tool_call',
        tool: 'knowledge_search',
        ok: true,
        result: '[1] (policy.md, chunk 2)\nRefunds take 14 days.',
      }),
    );
    expect(out.output).toMatchObject({ text: 'Fourteen days.' });
  });
});

const kbId = '7b0c6c2e-3f7a-4a51-9d8e-0f4c1f0b9a11';
