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
        cost_known: true,
        model: req.model,
        provider: name,
      };
    },
    async embed(req) {
      return {
        vectors: req.texts.map(() => [1]),
        input_tokens: 1,
        cost: 0,
        cost_known: true,
        model: req.model,
      };
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

describe('LLM router: embeddings', () => {
  const withEmbeddings = (name: string, prefix: string, model: string, fail = false) => {
    const p = fakeProvider(name, prefix);
    const embedded: string[] = [];
    return Object.assign(p, {
      defaultEmbeddingModel: model,
      embedded,
      async embed(req: { model: string; texts: string[] }) {
        embedded.push(req.model);
        if (fail) throw new LlmError('server', name, '503');
        return {
          vectors: req.texts.map(() => [1]),
          input_tokens: 1,
          cost: 0,
          cost_known: true,
          model: req.model,
        };
      },
    });
  };

  it("uses the request's model, else the router's default, else the first real provider's", async () => {
    const openai = withEmbeddings('openai', 'gpt', 'gpt-embed');
    const other = withEmbeddings('other', 'oth', 'oth-embed');
    const router = createLlmRouter({ providers: [createEchoProvider(), openai, other] });
    expect(router.defaultEmbeddingModel()).toBe('gpt-embed');
    expect((await router.embed({ texts: ['a'] })).model).toBe('gpt-embed');
    expect((await router.embed({ model: 'oth-embed', texts: ['a'] })).model).toBe('oth-embed');
    const pinned = createLlmRouter({ providers: [openai, other], defaultEmbeddingModel: 'oth-large' });
    expect((await pinned.embed({ texts: ['a'] })).model).toBe('oth-large');
    expect(other.embedded).toEqual(['oth-embed', 'oth-large']);
  });

  it('never falls back to another provider (vectors of different models are not comparable)', async () => {
    const down = withEmbeddings('openai', 'gpt', 'gpt-embed', true);
    const other = withEmbeddings('other', 'oth', 'oth-embed');
    const router = createLlmRouter({ providers: [down, other], fallbackOrder: ['openai', 'other'] });
    await expect(router.embed({ texts: ['a'] })).rejects.toMatchObject({ code: 'LLM_API_ERROR' });
    expect(other.embedded).toEqual([]);
  });

  it('echo embeds only when it is the only provider; real models without embeddings are an error', async () => {
    expect(createLlmRouter({ providers: [createEchoProvider()] }).defaultEmbeddingModel()).toBe('echo');
    const chatOnly = fakeProvider('anthropic', 'claude');
    const router = createLlmRouter({ providers: [chatOnly, createEchoProvider()] });
    await expect(router.embed({ texts: ['a'] })).rejects.toMatchObject({ code: 'LLM_NO_PROVIDER' });
    // Asking for echo by name still works (offline tries).
    expect((await router.embed({ model: 'echo', texts: ['a'] })).model).toBe('echo');
  });
});

describe('LLM router: streaming restarts', () => {
  it('asks for a restart before a fallback only when the failed attempt streamed text', async () => {
    const partial = fakeProvider('openai', 'gpt');
    partial.chat = async (req) => {
      req.onToken?.('Hel');
      throw new LlmError('connection', 'openai', 'lost');
    };
    const silent = fakeProvider('mute', 'mute', new LlmError('server', 'mute', '500'));
    const anthropic = fakeProvider('anthropic', 'claude');
    anthropic.chat = async (req) => {
      req.onToken?.('Hi');
      return { ...(await fakeProvider('anthropic', 'claude').chat(req)), content: 'Hi' };
    };
    const seen: string[] = [];
    const onToken = (t: string) => void seen.push(t);
    const onRestart = () => void seen.push('<restart>');
    const router = createLlmRouter({
      providers: [partial, silent, anthropic],
      fallbackOrder: ['openai', 'mute', 'anthropic'],
    });
    expect((await router.chat({ model: 'gpt-4o', messages: msg, onToken, onRestart })).content).toBe('Hi');
    expect(seen).toEqual(['Hel', '<restart>', 'Hi']);
    seen.length = 0;
    const quiet = createLlmRouter({ providers: [silent, anthropic], fallbackOrder: ['mute', 'anthropic'] });
    await quiet.chat({ model: 'mute-1', messages: msg, onToken, onRestart });
    expect(seen).toEqual(['Hi']);
  });
});
