import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAbortError } from '../../errors';
import { type FakeAnthropic, type FakeOpenAi, startFakeAnthropic, startFakeOpenAi } from '../../testing';
import { LlmError } from '../errors';
import { createLlmRouter } from '../router';
import type { ChatMessage, LlmRouter } from '../types';
import { createAnthropicProvider } from './anthropic';
import { createOpenAiProvider } from './openai';

const OPENAI_KEY = 'sk-proj-fallback-test-0123456789';
const ANTHROPIC_KEY = 'sk-ant-api03-fallback-test-0123456789';
const ask: ChatMessage[] = [{ role: 'user', content: 'Hello?' }];

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let router: LlmRouter;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([
    startFakeOpenAi({ apiKey: OPENAI_KEY }),
    startFakeAnthropic({ apiKey: ANTHROPIC_KEY }),
  ]);
  router = createLlmRouter({
    providers: [
      createOpenAiProvider({ apiKey: OPENAI_KEY, baseUrl: openai.url }),
      createAnthropicProvider({
        apiKey: ANTHROPIC_KEY,
        baseUrl: anthropic.url,
        defaultModel: 'claude-haiku-4-5',
      }),
    ],
    fallbackOrder: ['openai', 'anthropic'],
  });
});
afterAll(() => Promise.all([openai.close(), anthropic.close()]));
beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

describe('router fallback across real providers', () => {
  it('answers from the fallback provider when the primary returns 500', async () => {
    openai.enqueue({ status: 500 });
    anthropic.enqueue({ text: 'Hi from Claude.', usage: { input: 10, output: 4 } });
    const res = await router.chat({ model: 'gpt-4o', messages: ask });
    expect(res).toMatchObject({
      content: 'Hi from Claude.',
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
    });
    expect(res.cost).toBeCloseTo((10 * 1 + 4 * 5) / 1e6, 12);
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(1);
    expect(anthropic.requests[0]?.body).toMatchObject({ model: 'claude-haiku-4-5' });
  });

  it('falls back on 429 and on a bad key, but not on a bad request', async () => {
    openai.enqueue(
      { status: 429, retryAfter: 1 },
      { status: 401 },
      { status: 400, errorMessage: 'bad schema' },
    );
    anthropic.enqueue({ text: 'one' }, { text: 'two' });
    expect((await router.chat({ model: 'gpt-4o', messages: ask })).content).toBe('one');
    expect((await router.chat({ model: 'gpt-4o', messages: ask })).content).toBe('two');
    const err = await router.chat({ model: 'gpt-4o', messages: ask }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(anthropic.requests).toHaveLength(2);
  });

  it('reports every failure, retryable and without keys, when all providers fail', async () => {
    openai.enqueue({ status: 503, errorMessage: `down (key ${OPENAI_KEY})` });
    anthropic.enqueue({ status: 529, errorMessage: 'Overloaded' });
    const err = await router.chat({ model: 'gpt-4o', messages: ask }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ retryable: true });
    const message = (err as Error).message;
    expect(message).toContain('all providers failed');
    expect(message).toContain('HTTP 503');
    expect(message).toContain('HTTP 529');
    expect(message).not.toContain(OPENAI_KEY);
  });

  it('does not fall back when the call is aborted', async () => {
    openai.enqueue({ text: 'slow', delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const err = await router.chat({ model: 'gpt-4o', messages: ask, signal: controller.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAbortError(err)).toBe(true);
    expect(anthropic.requests).toHaveLength(0);
  });
});

describe('router over real providers: streaming restarts, embeddings, unknown cost', () => {
  it('a stream cut mid-answer falls back after telling the consumer to drop the partial text', async () => {
    openai.enqueue({ text: 'Partial answer that never ends', streamErrorAfter: 2 });
    anthropic.enqueue({ text: 'Whole answer.' });
    const seen: string[] = [];
    const res = await router.chat({
      model: 'gpt-4o',
      messages: ask,
      onToken: (t) => void seen.push(t),
      onRestart: () => void seen.push('<restart>'),
    });
    expect(res).toMatchObject({ content: 'Whole answer.', provider: 'anthropic' });
    const restartAt = seen.indexOf('<restart>');
    expect(restartAt).toBe(2);
    expect(seen.slice(restartAt + 1).join('')).toBe('Whole answer.');
  });

  it("embeds with OpenAI's default embeddings model and never falls back to another provider", async () => {
    const res = await router.embed({ texts: ['hello', 'world'] });
    expect(res).toMatchObject({ model: 'text-embedding-3-small', cost_known: true });
    expect(res.vectors).toHaveLength(2);
    expect(openai.requests.at(-1)?.body).toMatchObject({ model: 'text-embedding-3-small' });

    openai.enqueueEmbeddings({ status: 503 });
    await expect(router.embed({ texts: ['hello'] })).rejects.toMatchObject({ code: 'LLM_API_ERROR' });
    expect(anthropic.requests).toHaveLength(0);
  });

  it('marks the cost unknown for a model without a price, known with a price override', async () => {
    const local = createOpenAiProvider({ apiKey: OPENAI_KEY, baseUrl: openai.url, models: ['llama3.1'] });
    openai.enqueue(
      { text: 'a', usage: { input: 10, output: 2 } },
      { text: 'b', usage: { input: 10, output: 2 } },
    );
    expect(await local.chat({ model: 'llama3.1', messages: ask })).toMatchObject({
      cost: 0,
      cost_known: false,
    });
    expect(await router.chat({ model: 'gpt-4o', messages: ask })).toMatchObject({ cost_known: true });
    const priced = createOpenAiProvider({
      apiKey: OPENAI_KEY,
      baseUrl: openai.url,
      models: ['llama3.1'],
      prices: { 'llama3.1': { input: 1, output: 1 } },
    });
    openai.enqueue({ text: 'c', usage: { input: 10, output: 2 } });
    expect(await priced.chat({ model: 'llama3.1', messages: ask })).toMatchObject({ cost_known: true });
  });
});
