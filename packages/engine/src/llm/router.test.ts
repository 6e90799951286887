import { describe, expect, it } from 'vitest';
import { createEchoProvider } from './echo';
import { LlmError } from './errors';
import { createLlmRouter } from './router';
import type { ChatRequest, LlmProvider } from './types';

/** A stand-in for a real provider (the real ones arrive later); fails with `failWith` when set. */
function fakeProvider(
  name: string,
  prefix: string,
  failWith?: LlmError,
): LlmProvider & { calls: ChatRequest[] } {
  const calls: ChatRequest[] = [];
  return {
    name,
    defaultModel: `${prefix}-default`,
    supports: (m) => m.startsWith(prefix),
    estimateCost: (_m, i, o) => (i + o) / 1000,
    calls,
    async chat(req) {
      calls.push(req);
      if (failWith) throw failWith;
      return {
        content: `${name}:${req.model}`,
        tool_calls: [],
        input_tokens: 1,
        output_tokens: 1,
        cost: 0.002,
        model: req.model,
        provider: name,
      };
    },
    async embed(req) {
      return { vectors: req.texts.map(() => [1]), input_tokens: 1, cost: 0, model: req.model };
    },
  };
}
const msg = [{ role: 'user' as const, content: 'hi' }];

describe('LLM router', () => {
  it('routes by model and maps org model references', async () => {
    const openai = fakeProvider('openai', 'gpt');
    const anthropic = fakeProvider('anthropic', 'claude');
    const router = createLlmRouter({
      providers: [openai, anthropic],
      models: { 'org-model-1': { provider: 'anthropic', model: 'claude-x' } },
    });
    expect((await router.chat({ model: 'gpt-4o', messages: msg })).content).toBe('openai:gpt-4o');
    expect((await router.chat({ model: 'org-model-1', messages: msg })).content).toBe('anthropic:claude-x');
    expect(router.estimateCost('gpt-4o', 500, 500)).toBe(1);
    await expect(router.chat({ model: 'mystery', messages: msg })).rejects.toMatchObject({
      code: 'LLM_NO_PROVIDER',
    });
  });

  it('falls back in order on provider errors, not on bad requests', async () => {
    const down = fakeProvider('openai', 'gpt', new LlmError('server', 'openai', '500'));
    const anthropic = fakeProvider('anthropic', 'claude');
    const router = createLlmRouter({ providers: [down, anthropic], fallbackOrder: ['openai', 'anthropic'] });
    expect((await router.chat({ model: 'gpt-4o', messages: msg })).content).toBe('anthropic:claude-default');

    const bad = fakeProvider('openai', 'gpt', new LlmError('invalid_request', 'openai', 'bad'));
    const strict = createLlmRouter({ providers: [bad, anthropic], fallbackOrder: ['anthropic'] });
    await expect(strict.chat({ model: 'gpt-4o', messages: msg })).rejects.toMatchObject({
      code: 'LLM_INVALID_REQUEST',
    });
  });

  it('reports every failure, keeping the retryability of the first', async () => {
    const a = fakeProvider(
      'openai',
      'gpt',
      new LlmError('rate_limit', 'openai', '429', { retryAfterMs: 1500 }),
    );
    const b = fakeProvider('anthropic', 'claude', new LlmError('server', 'anthropic', '503'));
    const router = createLlmRouter({ providers: [a, b], fallbackOrder: ['anthropic'] });
    const err = await router.chat({ model: 'gpt-4o', messages: msg }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 1500 });
    expect((err as Error).message).toContain('anthropic');
  });

  it('never answers with echo in place of a real model', async () => {
    const down = fakeProvider('openai', 'gpt', new LlmError('server', 'openai', '500'));
    const router = createLlmRouter({
      providers: [down, createEchoProvider()],
      fallbackOrder: ['openai', 'echo'],
    });
    await expect(router.chat({ model: 'gpt-4o', messages: msg })).rejects.toMatchObject({
      code: 'LLM_API_ERROR',
    });
    expect(router.defaultModel()).toBe('gpt-default');
    expect((await router.chat({ model: 'echo', messages: msg })).content).toBe('[echo] hi');
  });

  it('defaults to echo only when it is the only provider', async () => {
    const router = createLlmRouter({ providers: [createEchoProvider()] });
    expect(router.defaultModel()).toBe('echo');
    expect((await router.chat({ messages: msg })).model).toBe('echo');
    expect(createLlmRouter({ providers: [createEchoProvider()], defaultModel: 'echo' }).defaultModel()).toBe(
      'echo',
    );
  });
});
