import { describe, expect, it } from 'vitest';
import { costOf, lookupPrice, normalizeModelId } from '../prices';

describe('price table', () => {
  it('strips dated and -latest suffixes and vendor prefixes', () => {
    expect(normalizeModelId('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(normalizeModelId('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(normalizeModelId('chatgpt-4o-latest')).toBe('chatgpt-4o');
    expect(normalizeModelId('openai/gpt-4.1-mini')).toBe('gpt-4.1-mini');
    expect(normalizeModelId('o3')).toBe('o3');
  });

  it('prices exact ids, dated ids and families, never confusing a model with its mini', () => {
    expect(lookupPrice('gpt-4o')).toMatchObject({ input: 2.5, output: 10, known: true, matched: 'gpt-4o' });
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toMatchObject({
      input: 0.15,
      output: 0.6,
      matched: 'gpt-4o-mini',
    });
    expect(lookupPrice('gpt-4.1-nano-2025-04-14')).toMatchObject({ input: 0.1, output: 0.4 });
    expect(lookupPrice('o3-2025-04-16')).toMatchObject({ input: 2, output: 8 });
    expect(lookupPrice('o4-mini')).toMatchObject({ input: 1.1, output: 4.4 });
    expect(lookupPrice('text-embedding-3-large')).toMatchObject({ input: 0.13, output: 0 });
    expect(lookupPrice('claude-3-5-sonnet-20241022')).toMatchObject({ input: 3, output: 15 });
    expect(lookupPrice('claude-sonnet-4-5-20250929')).toMatchObject({
      input: 3,
      output: 15,
      matched: 'claude-sonnet-4-*',
    });
    expect(lookupPrice('claude-opus-4-1-20250805')).toMatchObject({
      input: 15,
      output: 75,
      matched: 'claude-opus-4-1',
    });
    expect(lookupPrice('claude-opus-4-6')).toMatchObject({
      input: 5,
      output: 25,
      matched: 'claude-opus-4-*',
    });
  });

  it('returns 0 with known: false for unknown models, never throwing', () => {
    for (const model of ['llama3.1', '', 'o3-pro', 'gpt-4o-audio-preview', '???']) {
      expect(lookupPrice(model)).toEqual({ input: 0, output: 0, known: false, matched: null });
    }
    expect(costOf('llama3.1', 1000, 1000)).toBe(0);
  });

  it('lets overrides price unknown models and win over the table', () => {
    const overrides = { 'llama3.1': { input: 0.1, output: 0.2 }, 'gpt-4o': { input: 1, output: 1 } };
    expect(lookupPrice('llama3.1', overrides)).toMatchObject({ input: 0.1, known: true });
    expect(lookupPrice('gpt-4o-2024-08-06', overrides)).toMatchObject({ input: 1, matched: 'gpt-4o' });
    expect(costOf('llama3.1', 1_000_000, 500_000, overrides)).toBeCloseTo(0.2);
  });

  it('computes USD from tokens per million', () => {
    expect(costOf('gpt-4o-mini', 1000, 500)).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(costOf('claude-3-5-haiku-20241022', 2_000_000, 1_000_000)).toBeCloseTo(5.6);
  });
});
