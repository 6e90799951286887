import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAbortError } from '../../errors';
import { type FakeAnthropic, startFakeAnthropic } from '../../testing';
import { LlmError } from '../errors';
import type { ChatMessage, LlmProvider, ToolDefinition } from '../types';
import { createAnthropicProvider } from './anthropic';

const KEY = 'sk-ant-api03-test-0123456789abcdef';
const MODEL = 'claude-sonnet-4-6';
const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const ask: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Weather in Paris?' },
];

let fake: FakeAnthropic;
let provider: LlmProvider;

beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY });
  provider = createAnthropicProvider({ apiKey: KEY, baseUrl: fake.url });
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

const body = (i: number) => fake.requests[i]?.body as Record<string, unknown>;

describe('Anthropic provider: chat', () => {
  it('splits out the system prompt, fills max_tokens, and returns content, usage and cost', async () => {
    fake.enqueue({ text: 'Sunny.', usage: { input: 20, output: 5 } });
    const res = await provider.chat({ model: MODEL, messages: ask, temperature: 0.3 });
    expect(res).toMatchObject({
      content: 'Sunny.',
      tool_calls: [],
      input_tokens: 20,
      output_tokens: 5,
      model: MODEL,
      provider: 'anthropic',
    });
    expect(res.cost).toBeCloseTo((20 * 3 + 5 * 15) / 1e6, 12);
    const sent = fake.requests[0];
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['anthropic-version']).toBeTruthy();
    expect([sent?.headers['x-api-key'], sent?.headers.authorization]).toContain(`Bearer ${KEY}`);
    expect(sent?.body).toEqual({
      model: MODEL,
      max_tokens: 4096,
      system: 'You are terse.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
    });
  });

  it('streams text through onToken in order, with usage from message_start and message_delta', async () => {
    fake.enqueue({ text: 'Sunny and warm today', usage: { input: 11, output: 4 } });
    const tokens: string[] = [];
    const res = await provider.chat({
      model: MODEL,
      messages: ask,
      max_tokens: 200,
      onToken: (t) => tokens.push(t),
    });
    expect(tokens).toEqual(['Sunny ', 'and ', 'warm ', 'today']);
    expect(res).toMatchObject({ content: 'Sunny and warm today', input_tokens: 11, output_tokens: 4 });
    expect(body(0)).toMatchObject({ stream: true, max_tokens: 200 });
  });

  it('runs a tool call round trip with tool_use / tool_result blocks', async () => {
    fake.enqueue(
      {
        text: 'Let me check.',
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris' } },
          { name: 'get_weather', arguments: { city: 'Rome' } },
        ],
      },
      { text: 'Sunny in both.' },
    );
    const first = await provider.chat({
      model: MODEL,
      messages: ask,
      tools: [weather],
      tool_choice: 'required',
    });
    expect(first.content).toBe('Let me check.');
    expect(first.tool_calls).toEqual([
      { id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: { city: 'Paris' } },
      { id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: { city: 'Rome' } },
    ]);
    expect(body(0)).toMatchObject({
      tools: [{ name: 'get_weather', description: weather.description, input_schema: weather.parameters }],
      tool_choice: { type: 'any' },
    });

    const [paris, rome] = first.tool_calls;
    const history: ChatMessage[] = [
      ...ask,
      { role: 'assistant', content: first.content, tool_calls: first.tool_calls },
      { role: 'tool', tool_call_id: paris!.id, name: 'get_weather', content: 'sunny' },
      { role: 'tool', tool_call_id: rome!.id, name: 'get_weather', content: 'sunny too' },
    ];
    const second = await provider.chat({ model: MODEL, messages: history, tools: [weather] });
    expect(second.content).toBe('Sunny in both.');
    // Both results sit in one user turn right after the tool_use turn (the fake enforces it too).
    expect((body(1).messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: paris!.id, name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: rome!.id, name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: paris!.id, content: 'sunny' },
          { type: 'tool_result', tool_use_id: rome!.id, content: 'sunny too' },
        ],
      },
    ]);
  });

  it('declares the tools of the history when a last turn asks for an answer without tools', async () => {
    const history: ChatMessage[] = [
      ...ask,
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', name: 'get_weather', content: 'sunny' },
      { role: 'user', content: 'Answer now, without tools.' },
    ];
    fake.enqueue({ text: 'Sunny.' });
    const res = await provider.chat({ model: MODEL, messages: history });
    expect(res.content).toBe('Sunny.');
    expect(body(0)).toMatchObject({ tools: [{ name: 'get_weather' }], tool_choice: { type: 'none' } });
    // The empty assistant text was dropped, and the user text joined the tool results' turn.
    expect((body(0).messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'text', text: 'Answer now, without tools.' },
        ],
      },
    ]);
  });

  it('answers response_format through a forced tool and returns its input as JSON text', async () => {
    const schema = {
      type: 'object' as const,
      properties: { label: { type: 'string' as const } },
      required: ['label'],
    };
    fake.enqueue({ json: { label: 'spam' } });
    const res = await provider.chat({
      model: MODEL,
      messages: ask,
      response_format: { type: 'json_schema', name: 'classification', schema },
    });
    expect(JSON.parse(res.content)).toEqual({ label: 'spam' });
    expect(res.tool_calls).toEqual([]);
    expect(body(0)).toMatchObject({
      tools: [{ name: 'classification', input_schema: schema }],
      tool_choice: { type: 'tool', name: 'classification' },
    });
  });

  it('streams the JSON answer through onToken, and wraps non-object schemas', async () => {
    const schema = { type: 'object' as const, properties: { city: { type: 'string' as const } } };
    fake.enqueue({ json: { city: 'Paris, France' } });
    const tokens: string[] = [];
    const res = await provider.chat({
      model: MODEL,
      messages: ask,
      response_format: { type: 'json_schema', name: 'extraction', schema },
      onToken: (t) => tokens.push(t),
    });
    expect(tokens.length).toBeGreaterThan(1);
    expect(JSON.parse(tokens.join(''))).toEqual({ city: 'Paris, France' });
    expect(JSON.parse(res.content)).toEqual({ city: 'Paris, France' });

    const list = { type: 'array' as const, items: { type: 'string' as const } };
    fake.enqueue({ json: { value: ['a', 'b'] } });
    const wrapped = await provider.chat({
      model: MODEL,
      messages: ask,
      response_format: { type: 'json_schema', name: 'items', schema: list },
    });
    expect(JSON.parse(wrapped.content)).toEqual(['a', 'b']);
    expect(body(1)).toMatchObject({
      tools: [{ input_schema: { type: 'object', properties: { value: list }, required: ['value'] } }],
    });
  });

  it('lets the model call real tools before answering when tools and response_format combine', async () => {
    const schema = { type: 'object' as const, properties: { answer: { type: 'string' as const } } };
    fake.enqueue({ json: { answer: 'sunny' } });
    const res = await provider.chat({
      model: MODEL,
      messages: ask,
      tools: [weather],
      tool_choice: 'auto',
      response_format: { type: 'json_schema', name: 'final', schema },
    });
    expect(body(0)).toMatchObject({
      tools: [{ name: 'get_weather' }, { name: 'final' }],
      tool_choice: { type: 'any' },
    });
    expect(JSON.parse(res.content)).toEqual({ answer: 'sunny' });
  });
});

describe('Anthropic provider: errors', () => {
  it('maps 429 to a retryable rate-limit error carrying Retry-After', async () => {
    fake.enqueue({
      status: 429,
      retryAfter: 3,
      errorMessage: 'Number of request tokens has exceeded your rate limit',
    });
    const err = await failure(provider.chat({ model: MODEL, messages: ask }));
    expect(err).toMatchObject({
      kind: 'rate_limit',
      code: 'LLM_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(err.message).toContain('exceeded your rate limit');
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 500 and 529 (overloaded) to retryable server errors after a single attempt', async () => {
    fake.enqueue({ status: 500 }, { status: 529, errorMessage: 'Overloaded' });
    expect(await failure(provider.chat({ model: MODEL, messages: ask }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
    expect(await failure(provider.chat({ model: MODEL, messages: ask }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('maps 401 to a non-retryable auth error whose message never contains the key', async () => {
    const wrongKey = 'sk-ant-api03-WRONGkey9876543210';
    const bad = createAnthropicProvider({ apiKey: wrongKey, baseUrl: fake.url });
    const err = await failure(bad.chat({ model: MODEL, messages: ask }));
    expect(err).toMatchObject({ kind: 'auth', code: 'LLM_AUTH_ERROR', retryable: false });
    expect(err.message).toContain('authentication failed (HTTP 401): invalid x-api-key');

    fake.enqueue({ status: 401, errorMessage: `invalid x-api-key ${KEY}` });
    const echoed = await failure(provider.chat({ model: MODEL, messages: ask }));
    for (const text of [
      echoed.message,
      String(echoed.stack),
      JSON.stringify(echoed),
      String(echoed.cause ?? ''),
    ]) {
      expect(text).not.toContain(KEY);
    }
  });

  it('maps in-stream error events by their type', async () => {
    const onToken = () => {};
    fake.enqueue({ text: 'a b c', streamErrorAfter: 1 });
    expect(await failure(provider.chat({ model: MODEL, messages: ask, onToken }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
    fake.enqueue({
      text: 'a b c',
      streamErrorAfter: 1,
      errorType: 'rate_limit_error',
      errorMessage: 'slow down',
    });
    expect(await failure(provider.chat({ model: MODEL, messages: ask, onToken }))).toMatchObject({
      kind: 'rate_limit',
      retryable: true,
    });
  });

  it('rejects promptly with an abort error when aborted mid-stream', async () => {
    fake.enqueue({ text: 'one two three four five', stallAfter: 2 });
    const controller = new AbortController();
    const tokens: string[] = [];
    const started = Date.now();
    const err = await provider
      .chat({
        model: MODEL,
        messages: ask,
        signal: controller.signal,
        onToken: (t) => {
          tokens.push(t);
          if (tokens.length === 2) setTimeout(() => controller.abort(), 10);
        },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isAbortError(err)).toBe(true);
    expect(tokens).toEqual(['one ', 'two ']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('maps a slow server to a retryable timeout and a dropped stream to a connection error', async () => {
    const impatient = createAnthropicProvider({ apiKey: KEY, baseUrl: fake.url, timeoutMs: 100 });
    fake.enqueue({ text: 'late', delayMs: 2000 });
    expect(await failure(impatient.chat({ model: MODEL, messages: ask }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    fake.enqueue({ text: 'a b c', dropAfter: 1 });
    expect(await failure(provider.chat({ model: MODEL, messages: ask, onToken: () => {} }))).toMatchObject({
      retryable: true,
    });
  });

  it('refuses embeddings without a fallback-worthy error, and prices dated model ids', async () => {
    const err = await failure(provider.embed({ model: MODEL, texts: ['x'] }));
    expect(err).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(provider.supports('claude-3-5-haiku-20241022')).toBe(true);
    expect(provider.supports('gpt-4o')).toBe(false);
    expect(provider.estimateCost('claude-3-5-haiku-20241022', 1_000_000, 1_000_000)).toBeCloseTo(4.8);
    expect(provider.estimateCost('claude-opus-4-20250514', 1_000_000, 0)).toBeCloseTo(15);
  });
});
