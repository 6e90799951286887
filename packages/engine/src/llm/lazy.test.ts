import { describe, expect, it } from 'vitest';
import { createEchoProvider } from './echo';
import { createLazyLlmRouter } from './lazy';
import { createLlmRouter } from './router';

const echoRouter = () => createLlmRouter({ providers: [createEchoProvider()] });

describe('createLazyLlmRouter', () => {
  it('does not load until a model is called, then loads once for concurrent callers', async () => {
    let loads = 0;
    const router = createLazyLlmRouter(async () => {
      loads++;
      return echoRouter();
    });
    expect(loads).toBe(0);
    expect(router.loaded).toBe(false);
    expect(() => router.defaultModel()).toThrow(/before the router was loaded/);
    const [a, b] = await Promise.all([
      router.chat({ messages: [{ role: 'user', content: 'hi' }] }),
      router.chat({ messages: [{ role: 'user', content: 'there' }] }),
    ]);
    expect(loads).toBe(1);
    expect(a.provider).toBe('echo');
    expect(b.provider).toBe('echo');
    expect(router.loaded).toBe(true);
    expect(router.defaultModel()).toBe(echoRouter().defaultModel());
    expect(router.estimateCost(router.defaultModel(), 10, 10)).toBe(0);
  });

  it('retries a failed load on the next call', async () => {
    let loads = 0;
    const router = createLazyLlmRouter(async () => {
      loads++;
      if (loads === 1) throw new Error('database unavailable');
      return echoRouter();
    });
    await expect(router.chat({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(
      'database unavailable',
    );
    await expect(router.chat({ messages: [{ role: 'user', content: 'x' }] })).resolves.toMatchObject({
      provider: 'echo',
    });
    expect(loads).toBe(2);
  });
});
