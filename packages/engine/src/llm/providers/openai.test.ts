import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAbortError } from '../../errors';
import { type FakeOpenAi, fakeEmbedding, startFakeOpenAi } from '../../testing';
import { LlmError } from '../errors';
import type { ChatMessage, LlmProvider, ToolDefinition } from '../types';
import { createOpenAiProvider } from './openai';

const KEY = 'sk-test-openai-0123456789abcdef';
const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const ask: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Weather in Paris?' },
];

let fake: FakeOpenAi;
let provider: LlmProvider;

beforeAll(async () => {
  fake = await startFakeOpenAi({ apiKey: KEY, maxEmbeddingInputs: 3 });
  provider = createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe('OpenAI provider: chat', () => {
  it('sends a plain chat and returns content, usage, model and cost', async () => {
    fake.enqueue({ text: 'Sunny.', usage: { input: 12, output: 3 } });
    const res = await provider.chat({ model: 'gpt-4o', messages: ask, temperature: 0.2, max_tokens: 100 });
    expect(res).toMatchObject({
      content: 'Sunny.',
      tool_calls: [],
      input_tokens: 12,
      output_tokens: 3,
      model: 'gpt-4o',
      provider: 'openai',
    });
    expect(res.cost).toBeCloseTo((12 * 2.5 + 3 * 10) / 1e6, 12);
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toMatchObject({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      temperature: 0.2,
      // A custom base URL gets the classic field (compatible servers may not know the new one).
      max_tokens: 100,
    });
  });

  it('sends max_completion_tokens and no temperature to reasoning models', async () => {
    fake.enqueue({ text: 'ok' });
    await provider.chat({ model: 'o4-mini', messages: ask, temperature: 0.2, max_tokens: 50 });
    const body = fake.requests[0]?.body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('temperature');
  });

  it('streams text through onToken in order, with usage from the final chunk', async () => {
    fake.enqueue({ text: 'Sunny and warm today', usage: { input: 9, output: 4 } });
    const tokens: string[] = [];
    const res = await provider.chat({ model: 'gpt-4o-mini', messages: ask, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(['Sunny ', 'and ', 'warm ', 'today']);
    expect(res).toMatchObject({ content: 'Sunny and warm today', input_tokens: 9, output_tokens: 4 });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('runs a tool call round trip (request tools -> tool_calls -> tool result -> answer)', async () => {
    fake.enqueue(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      { text: 'It is sunny in Paris.' },
    );
    const first = await provider.chat({
      model: 'gpt-4o',
      messages: ask,
      tools: [weather],
      tool_choice: 'required',
    });
    expect(first.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: weather.description, parameters: weather.parameters },
        },
      ],
      tool_choice: 'required',
    });

    const call = first.tool_calls[0]!;
    const history: ChatMessage[] = [
      ...ask,
      { role: 'assistant', content: first.content, tool_calls: first.tool_calls },
      { role: 'tool', tool_call_id: call.id, name: call.name, content: '{"sky":"clear"}' },
    ];
    const second = await provider.chat({ model: 'gpt-4o', messages: history, tools: [weather] });
    expect(second.content).toBe('It is sunny in Paris.');
    // The fake rejects unpaired tool messages, as the API does: a 200 means the mapping is right.
    expect((fake.requests[1]?.body as { messages: unknown[] } | undefined)?.messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: call.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: '{"sky":"clear"}' },
    ]);
  });

  it('assembles streamed tool-call fragments and maps a named tool_choice', async () => {
    fake.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Rome' } },
      ],
    });
    const tokens: string[] = [];
    const res = await provider.chat({
      model: 'gpt-4o',
      messages: ask,
      tools: [weather],
      tool_choice: { name: 'get_weather' },
      onToken: (t) => tokens.push(t),
    });
    expect(res.tool_calls.map((c) => c.arguments)).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);
    expect(tokens).toEqual([]);
    expect(fake.requests[0]?.body).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
  });

  it('asks for json_schema output (strict only when the schema allows it) and returns the JSON text', async () => {
    const schema = {
      type: 'object' as const,
      properties: { label: { type: 'string' as const, enum: ['spam', 'ham'] } },
      required: ['label'],
    };
    fake.enqueue({ json: { label: 'spam' } }, { json: { label: 'ham' } });
    const res = await provider.chat({
      model: 'gpt-4o',
      messages: ask,
      response_format: { type: 'json_schema', name: 'classification', schema },
    });
    expect(JSON.parse(res.content)).toEqual({ label: 'spam' });
    expect(fake.requests[0]?.body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'classification', schema, strict: false },
      },
    });
    const closed = { ...schema, additionalProperties: false };
    await provider.chat({
      model: 'gpt-4o',
      messages: ask,
      response_format: { type: 'json_schema', name: 'x y', schema: closed },
    });
    expect(fake.requests[1]?.body).toMatchObject({
      response_format: { json_schema: { name: 'x_y', strict: true } },
    });
  });

  it('reports a JSON answer cut off at max_tokens and a refusal as bad output', async () => {
    const schema = { type: 'object' as const, properties: {} };
    fake.enqueue({ text: '{"label": "sp', finishReason: 'length' }, { refusal: 'I cannot help with that.' });
    const cut = await failure(
      provider.chat({
        model: 'gpt-4o',
        messages: ask,
        max_tokens: 5,
        response_format: { type: 'json_schema', name: 'r', schema },
      }),
    );
    expect(cut).toMatchObject({ kind: 'bad_output', retryable: false });
    const refused = await failure(provider.chat({ model: 'gpt-4o', messages: ask }));
    expect(refused.message).toContain('refused');
  });
});

describe('OpenAI provider: errors', () => {
  it('maps 429 to a retryable rate-limit error carrying Retry-After, with SDK retries off', async () => {
    fake.enqueue({ status: 429, retryAfter: 2, errorMessage: 'Rate limit reached for gpt-4o' });
    const err = await failure(provider.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({
      kind: 'rate_limit',
      code: 'LLM_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(err.message).toContain('Rate limit reached');
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 429 insufficient_quota (billing) to a non-retryable error', async () => {
    fake.enqueue({
      status: 429,
      errorCode: 'insufficient_quota',
      errorType: 'insufficient_quota',
      errorMessage: 'You exceeded your current quota',
    });
    const err = await failure(provider.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({ kind: 'auth', retryable: false });
  });

  it('maps 500 to a retryable server error after a single attempt', async () => {
    fake.enqueue({ status: 500 });
    const err = await failure(provider.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({ kind: 'server', code: 'LLM_API_ERROR', retryable: true });
    expect(err.message).toMatch(/HTTP 500.*\[request req_fake_\d+\]/);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 401 to a non-retryable auth error whose message never contains the key', async () => {
    const wrongKey = 'sk-proj-WRONGkey9876543210zyxw';
    const bad = createOpenAiProvider({ apiKey: wrongKey, baseUrl: fake.url });
    const err = await failure(bad.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({ kind: 'auth', code: 'LLM_AUTH_ERROR', retryable: false });
    expect(err.message).toContain('authentication failed (HTTP 401)');
    expect(err.message).toContain('Check the API key');
    // The fake echoed the whole key, like OpenAI echoes part of it.
    for (const text of [err.message, String(err.stack), JSON.stringify(err), String(err.cause ?? '')]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain('WRONGkey');
    }
  });

  it('maps 400 to a non-retryable invalid request, redacting a key the body echoes', async () => {
    fake.enqueue({ status: 400, errorMessage: `Bad request made with ${KEY}` });
    const err = await failure(provider.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain('[redacted]');
  });

  it('rejects promptly with an abort error when aborted mid-stream', async () => {
    fake.enqueue({ text: 'one two three four five', stallAfter: 2 });
    const controller = new AbortController();
    const tokens: string[] = [];
    const started = Date.now();
    const call = provider.chat({
      model: 'gpt-4o',
      messages: ask,
      signal: controller.signal,
      onToken: (t) => {
        tokens.push(t);
        if (tokens.length === 2) setTimeout(() => controller.abort(), 10);
      },
    });
    const err = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect(tokens).toEqual(['one ', 'two ']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects with an abort error when aborted before the first byte', async () => {
    fake.enqueue({ text: 'late', delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const err = await provider.chat({ model: 'gpt-4o', messages: ask, signal: controller.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('maps a slow server to a retryable timeout', async () => {
    const impatient = createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 100 });
    fake.enqueue({ text: 'late', delayMs: 2000 });
    const err = await failure(impatient.chat({ model: 'gpt-4o', messages: ask }));
    expect(err).toMatchObject({ kind: 'timeout', code: 'LLM_API_TIMEOUT', retryable: true });
  });

  it('maps refused connections, malformed bodies, dropped and failed streams to retryable errors', async () => {
    const nowhere = createOpenAiProvider({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9/v1' });
    expect(await failure(nowhere.chat({ model: 'gpt-4o', messages: ask }))).toMatchObject({
      kind: 'connection',
      retryable: true,
    });

    fake.enqueue({ rawBody: '{"choices": [oops' });
    expect(await failure(provider.chat({ model: 'gpt-4o', messages: ask }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });

    const onToken = () => {};
    fake.enqueue({ rawBody: 'data: {"id": oops\n\n' });
    const logged: string[] = [];
    const log = (message: string) => void logged.push(message);
    const quiet = createOpenAiProvider({
      apiKey: KEY,
      baseUrl: fake.url,
      logger: { error: log, warn: log, info: log, debug: log },
    });
    expect(await failure(quiet.chat({ model: 'gpt-4o', messages: ask, onToken }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
    expect(logged.join('\n')).toContain('Could not parse');

    fake.enqueue({ text: 'a b c', dropAfter: 1 });
    expect(await failure(provider.chat({ model: 'gpt-4o', messages: ask, onToken }))).toMatchObject({
      kind: 'connection',
      retryable: true,
    });

    fake.enqueue({ text: 'a b c', streamErrorAfter: 1 });
    expect(await failure(provider.chat({ model: 'gpt-4o', messages: ask, onToken }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
  });
});

describe('OpenAI provider: embeddings, compatible endpoints, cost', () => {
  it('embeds in batches with dimensions passed through, decoding base64 vectors', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
    const batching = createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url, embeddingBatchSize: 3 });
    const res = await batching.embed({ model: 'text-embedding-3-small', texts, dimensions: 256 });
    expect(fake.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([3, 3, 1]);
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: 256,
      encoding_format: 'base64',
    });
    expect(res.vectors).toHaveLength(7);
    res.vectors.forEach((v, i) => {
      expect(v).toHaveLength(256);
      const expected = fakeEmbedding(texts[i]!, 256);
      for (const [j, x] of v.entries()) expect(x).toBeCloseTo(expected[j]!, 5);
    });
    // The fake counts ~4 characters per token, at least 1 per text: the usage of all three batches.
    const tokens = texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
    expect(res.input_tokens).toBe(tokens);
    expect(res.cost).toBeCloseTo((tokens * 0.02) / 1e6, 15);
  });

  it('asks for plain float arrays when configured, and the fake defaults to 1536 dimensions', async () => {
    const floats = createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url, embeddingEncoding: 'float' });
    const res = await floats.embed({ model: 'text-embedding-3-small', texts: ['hello world'] });
    expect(fake.requests[0]?.body).toMatchObject({ encoding_format: 'float' });
    expect(res.vectors[0]).toEqual(fakeEmbedding('hello world'));
    expect(res.vectors[0]).toHaveLength(1536);
  });

  it('maps embedding failures like chat failures', async () => {
    fake.enqueueEmbeddings({ status: 429, retryAfter: 1 });
    const err = await failure(provider.embed({ model: 'text-embedding-3-small', texts: ['x'] }));
    expect(err).toMatchObject({ kind: 'rate_limit', retryAfterMs: 1000 });
  });

  it('talks to Azure OpenAI: deployment path, api-version query, api-key header, priced by the answering model', async () => {
    const azure = createOpenAiProvider({
      name: 'azure',
      apiKey: KEY,
      baseUrl: fake.url.replace(/\/v1$/, ''),
      azure: { apiVersion: '2024-10-21' },
      models: ['prod-gpt4o'],
    });
    expect(azure.supports('prod-gpt4o')).toBe(true);
    expect(azure.supports('gpt-4o')).toBe(false);
    fake.enqueue({ text: 'hi', model: 'gpt-4o-2024-08-06', usage: { input: 1000, output: 100 } });
    const res = await azure.chat({ model: 'prod-gpt4o', messages: ask });
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/openai/deployments/prod-gpt4o/chat/completions');
    expect(sent?.query['api-version']).toBe('2024-10-21');
    expect(sent?.headers['api-key']).toBe(KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(res).toMatchObject({ provider: 'azure', model: 'gpt-4o-2024-08-06' });
    expect(res.cost).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
  });

  it('serves configured self-hosted models (Ollama, vLLM) with their own prices', async () => {
    const ollama = createOpenAiProvider({
      name: 'ollama',
      apiKey: KEY,
      baseUrl: fake.url,
      models: ['llama3.1'],
      prices: { 'llama3.1': { input: 0, output: 0 } },
    });
    expect(ollama.supports('llama3.1')).toBe(true);
    expect(ollama.supports('gpt-4o')).toBe(false);
    fake.enqueue({ text: 'hi' });
    const res = await ollama.chat({ model: 'llama3.1', messages: ask });
    expect(res).toMatchObject({ provider: 'ollama', cost: 0 });
  });

  it('claims OpenAI model ids by prefix and prices dated ids from the table', () => {
    for (const m of ['gpt-4o', 'gpt-4.1-mini', 'o1', 'o3-mini', 'o4-mini', 'text-embedding-3-large'])
      expect(provider.supports(m)).toBe(true);
    for (const m of ['claude-sonnet-4', 'llama3.1', 'o5x', 'o10']) expect(provider.supports(m)).toBe(false);
    expect(provider.estimateCost('gpt-4o-2024-08-06', 1_000_000, 1_000_000)).toBeCloseTo(12.5);
    expect(provider.estimateCost('some-unknown-model', 1_000_000, 1_000_000)).toBe(0);
  });

  it('ignores OPENAI_* variables of the server environment', async () => {
    const saved = { ...process.env };
    process.env.OPENAI_ORG_ID = 'org-from-env';
    process.env.OPENAI_PROJECT_ID = 'proj-from-env';
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    try {
      const isolated = createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url });
      fake.enqueue({ text: 'hi' });
      await isolated.chat({ model: 'gpt-4o', messages: ask });
      expect(fake.requests[0]?.headers['openai-organization']).toBeUndefined();
      expect(fake.requests[0]?.headers['openai-project']).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });
});
