import { createEchoProvider } from '@agentflow/engine';
import { describe, expect, it } from 'vitest';
import { isEmbeddingModel, lazyProvider } from './lazy-provider';

describe('lazyProvider', () => {
  it.each([
    ['text-embedding-3-small', true],
    ['text-embedding-ada-002', true],
    ['nomic-embed-text', true],
    ['mxbai-embed-large:latest', true],
    ['gpt-4o-mini', false],
    ['claude-sonnet-4-6', false],
    ['embeddable-chat', false],
  ])('%s is an embedding model: %s', (model, expected) => {
    expect(isEmbeddingModel(model)).toBe(expected);
  });

  it('offers a stored embedding model as the embedding default, and chat models none', () => {
    const build = async () => createEchoProvider();
    expect(lazyProvider('org:emb', 'text-embedding-3-small', {}, build).defaultEmbeddingModel).toBe(
      'text-embedding-3-small',
    );
    expect(lazyProvider('org:chat', 'gpt-4o-mini', {}, build).defaultEmbeddingModel).toBeUndefined();
  });

  it('builds the client once, on first use', async () => {
    let builds = 0;
    const provider = lazyProvider('org:m', 'echo', {}, async () => {
      builds++;
      return createEchoProvider();
    });
    expect(builds).toBe(0);
    await provider.chat({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
    await provider.chat({ model: 'echo', messages: [{ role: 'user', content: 'again' }] });
    expect(builds).toBe(1);
  });
});
