import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSafeHttpClient } from '../http/client';
import { costOf } from '../llm/prices';
import { createOpenAiProvider } from '../llm/providers';
import { createLlmRouter } from '../llm/router';
import { compileForTest, recordingHooks, testServices } from '../test-utils';
import { type FakeOpenAi, type RecordedRequest, startFakeOpenAi } from '../testing';
import { hierarchicalCrewTemplate, sequentialCrewTemplate } from './crews';

/**
 * Issue 4 acceptance: seed 000's sequential and hierarchical crews, end to end against the fake
 * OpenAI server (official SDK, streaming, tool calls) with a worker calling the http_request tool
 * on a local "facts API" reached through an allow-listed host name.
 */
const MODEL = 'gpt-4o-mini';
const KEY = 'sk-test-crews-0123456789';
let openai: FakeOpenAi;
let facts: http.Server;
let factsPort = 0;
const factsSeen: Array<{ method: string; url: string; host: string }> = [];

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: KEY });
  facts = http.createServer((req, res) => {
    factsSeen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '' });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ facts: ['Euler solved the Königsberg bridges in 1736'] }));
  });
  await new Promise<void>((resolve) => facts.listen(0, '127.0.0.1', resolve));
  factsPort = (facts.address() as AddressInfo).port;
});
afterAll(async () => {
  facts.closeAllConnections();
  await Promise.all([openai.close(), new Promise((resolve) => facts.close(resolve))]);
});
beforeEach(() => {
  openai.reset();
  factsSeen.length = 0;
});

const factsBase = () => `http://facts.partner.test:${factsPort}/`;
function crewServices() {
  return testServices({
    llm: createLlmRouter({ providers: [createOpenAiProvider({ apiKey: KEY, baseUrl: openai.url })] }),
    // The facts API listens on loopback: reachable only because its host name is allow-listed.
    http: createSafeHttpClient({
      allowHosts: ['facts.partner.test'],
      lookup: async (host) => {
        if (host === 'facts.partner.test') return [{ address: '127.0.0.1', family: 4 }];
        throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    }),
  });
}
const researcherTools = () => [
  {
    type: 'http_request' as const,
    name: 'facts_api',
    base_url: factsBase(),
    allowed_methods: ['GET' as const],
  },
];

interface SentMessage {
  role: string;
  content: string | null;
  tool_calls?: Array<{ function: { name: string } }>;
}
interface SentChat {
  model: string;
  stream: boolean;
  messages: SentMessage[];
  tools?: Array<{ function: { name: string; parameters: unknown } }>;
  tool_choice?: unknown;
}
const chats = (): SentChat[] =>
  openai.requests
    .filter((r: RecordedRequest) => r.path.endsWith('/chat/completions'))
    .map((r) => r.body as SentChat);
const text = (m: SentMessage | undefined) => m?.content ?? '';
const price = (input: number, output: number) => costOf(MODEL, input, output);

describe('crews against the fake OpenAI server', () => {
  it('sequential crew: researcher (with an HTTP tool) -> writer -> editor', async () => {
    openai.enqueue(
      {
        toolCalls: [{ name: 'facts_api', arguments: { method: 'GET', url: 'facts?topic=graphs' } }],
        usage: { input: 200, output: 20 },
      },
      { text: 'RESEARCH: Euler, 1736, bridges.', usage: { input: 300, output: 40 } },
      { text: 'DRAFT: In 1736 Euler...', usage: { input: 400, output: 80 } },
      { text: 'FINAL: In 1736, Euler solved the bridges.', usage: { input: 500, output: 60 } },
    );
    const rec = recordingHooks();
    const agent = compileForTest(
      sequentialCrewTemplate({ model: MODEL, researcherTools: researcherTools() }),
      {
        hooks: rec.hooks,
        services: crewServices(),
      },
    );
    const r = await agent.run({ type: 'manual', data: { topic: 'graph theory' } });

    expect(r).toMatchObject({
      status: 'completed',
      output: { body: { topic: 'graph theory', article: 'FINAL: In 1736, Euler solved the bridges.' } },
    });
    expect(r.state.steps).toEqual(['start', 'research', 'write', 'edit', 'out']);
    expect(factsSeen).toEqual([
      { method: 'GET', url: '/facts?topic=graphs', host: `facts.partner.test:${factsPort}` },
    ]);

    const sent = chats();
    expect(sent).toHaveLength(4);
    expect(sent.every((c) => c.model === MODEL && c.stream)).toBe(true);
    const [research1, research2, write, edit] = sent;
    // Role, backstory and goal make the system prompt; the task and its expected output the user turn.
    expect(text(research1?.messages[0])).toContain(
      'You are Senior Research Analyst. You work at a think tank and are known for careful, sourced research.',
    );
    expect(text(research1?.messages[0])).toContain(
      'Your personal goal is: Uncover accurate, relevant facts about graph theory',
    );
    expect(text(research1?.messages[1])).toContain(
      'Current task: Research graph theory and list the key points a writer needs.',
    );
    expect(text(research1?.messages[1])).toContain(
      'This is the expected criteria for your final answer: A bullet list of the 5 most important points',
    );
    expect(research1?.tools?.map((t) => t.function.name)).toEqual(['facts_api']);
    // The tool result went back to the model.
    const toolTurn = research2?.messages.find((m) => m.role === 'tool');
    expect(text(toolTurn)).toMatch(/^HTTP 200\n\{"facts":\["Euler solved/);
    expect(text(write?.messages[0])).toContain('You are Content Writer.');
    expect(text(write?.messages[1])).toContain(
      'This is the context you are working with:\nRESEARCH: Euler, 1736, bridges.',
    );
    expect(write?.tools).toBeUndefined();
    expect(text(edit?.messages[1])).toContain('Current task: Polish the article');
    expect(text(edit?.messages[1])).toContain('DRAFT: In 1736 Euler...');

    const steps = rec.calls.filter((c) => c.hook === 'complete' && c.type === 'agent');
    expect(steps.map((s) => s.hook === 'complete' && [s.node_id, s.tokens, s.cost_known])).toEqual([
      ['research', { input: 500, output: 60 }, true],
      ['write', { input: 400, output: 80 }, true],
      ['edit', { input: 500, output: 60 }, true],
    ]);
    const cost = steps.reduce((n, s) => n + (s.hook === 'complete' ? (s.cost ?? 0) : 0), 0);
    expect(cost).toBeCloseTo(price(1400, 200), 12);
    expect(r.state.nodes.research?.output).toMatchObject({
      iterations: 2,
      tool_calls: [{ tool: 'facts_api', arguments: { method: 'GET', url: 'facts?topic=graphs' }, ok: true }],
    });
  });

  it('hierarchical crew: the manager delegates through delegate_work, the researcher uses its tool', async () => {
    const request = 'Find three classic sources on graph theory';
    openai.enqueue(
      {
        toolCalls: [
          {
            name: 'delegate_work',
            arguments: {
              coworker: 'researcher',
              task: 'List 3 classic graph theory sources',
              context: 'cite years',
            },
          },
        ],
        usage: { input: 150, output: 30 },
      },
      {
        toolCalls: [{ name: 'facts_api', arguments: { url: 'facts?topic=sources' } }],
        usage: { input: 250, output: 15 },
      },
      { text: 'SOURCES: Euler 1736; König 1936; Harary 1969.', usage: { input: 350, output: 25 } },
      {
        text: 'Three sources: Euler (1736), König (1936), Harary (1969).',
        usage: { input: 450, output: 35 },
      },
    );
    const rec = recordingHooks();
    const agent = compileForTest(
      hierarchicalCrewTemplate({ model: MODEL, researcherTools: researcherTools() }),
      {
        hooks: rec.hooks,
        services: crewServices(),
      },
    );
    const r = await agent.run({ type: 'manual', data: { request } });

    expect(r.state.steps).toEqual(['start', 'manager', 'researcher', 'join', 'review', 'out']);
    expect(r).toMatchObject({
      status: 'completed',
      output: {
        body: {
          handled_by: 'researcher',
          answer: 'Three sources: Euler (1736), König (1936), Harary (1969).',
        },
      },
    });
    expect(r.state.nodes.manager).toMatchObject({
      branch: 'researcher',
      output: { route: 'researcher', task: 'List 3 classic graph theory sources', context: 'cite years' },
    });
    expect(factsSeen.map((f) => f.url)).toEqual(['/facts?topic=sources']);

    const [manager, researcher1, researcher2, review] = chats();
    expect(chats()).toHaveLength(4);
    // A supervisor without other tools must delegate: the tool is forced.
    expect(manager?.tool_choice).toEqual({ type: 'function', function: { name: 'delegate_work' } });
    expect(manager?.tools?.[0]?.function).toMatchObject({
      name: 'delegate_work',
      parameters: { properties: { coworker: { enum: ['researcher', 'writer'] } } },
    });
    expect(text(manager?.messages[0])).toContain('You are Project Manager. You run a small team');
    expect(text(manager?.messages[0])).toContain(
      'Delegate the task to exactly one coworker with the delegate_work tool: researcher (finds facts, figures and sources); writer',
    );
    expect(text(manager?.messages[1])).toContain(
      `Current task: Decide who should handle this request, and brief them: ${request}`,
    );
    expect(text(manager?.messages[1])).toContain('expected criteria for your final answer: A delegation');
    // The worker's task is the manager's brief.
    expect(text(researcher1?.messages[0])).toContain('You are Researcher.');
    expect(text(researcher1?.messages[0])).toContain('Your personal goal is: Find accurate facts');
    expect(text(researcher1?.messages[1])).toContain('Current task: List 3 classic graph theory sources');
    expect(text(researcher1?.messages[1])).toContain(`Original request: ${request}`);
    expect(researcher1?.tool_choice).toBe('auto');
    expect(text(researcher2?.messages.at(-1))).toMatch(/^HTTP 200\n/);
    expect(text(review?.messages[1])).toContain('SOURCES: Euler 1736; König 1936; Harary 1969.');

    const steps = rec.calls.filter((c) => c.hook === 'complete' && c.type === 'agent');
    expect(steps.map((s) => s.hook === 'complete' && [s.node_id, s.tokens])).toEqual([
      ['manager', { input: 150, output: 30 }],
      ['researcher', { input: 600, output: 40 }],
      ['review', { input: 450, output: 35 }],
    ]);
    const cost = steps.reduce((n, s) => n + (s.hook === 'complete' ? (s.cost ?? 0) : 0), 0);
    expect(cost).toBeCloseTo(price(1200, 105), 12);
  });
});
