/**
 * USD per 1M tokens, from the providers' public price pages (checked 2026-11). Cost is an estimate for
 * usage accounting and billing display: cached-input discounts and batch prices are not modelled, so
 * OpenAI cached prompts are slightly over-counted. Update this table when prices change; org-specific
 * or self-hosted models (Azure deployments, Ollama, vLLM) get theirs through a provider's `prices`.
 */
export interface ModelPrice {
  /** USD per 1M input (prompt) tokens. */
  input: number;
  /** USD per 1M output (completion) tokens; 0 for embedding models. */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Keys are model ids without date suffixes. A key ending in `*` is a family: it prices every id that
 * starts with the text before the `*` (the longest family wins, and exact keys win over families).
 * Families are only used where every member costs the same, so a new minor version is not free.
 */
export const defaultPrices: PriceTable = {
  // OpenAI chat
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'chatgpt-4o': { input: 5, output: 15 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5.1': { input: 1.25, output: 10 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  // OpenAI embeddings
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // Anthropic
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-sonnet-4-*': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-1': { input: 15, output: 75 },
  // Opus 4.5 and later 4.x releases dropped to $5 / $25.
  'claude-opus-4-*': { input: 5, output: 25 },
};

export interface PriceLookup extends ModelPrice {
  /** False when no entry matched: the price is 0 and the cost should be shown as unknown. */
  known: boolean;
  /** The table key that matched (`gpt-4o`, `claude-sonnet-4-*`), null when unknown. */
  matched: string | null;
}

/** `gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`, `gpt-4o-latest`, `openai/gpt-4o` -> their base id. */
export function normalizeModelId(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^[\w.-]+\//, '')
    .replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, '');
}

/** Never throws: an unknown model costs 0 with `known: false`. `overrides` win over the table. */
export function lookupPrice(model: string, overrides?: PriceTable): PriceLookup {
  const id = normalizeModelId(model);
  for (const table of overrides ? [overrides, defaultPrices] : [defaultPrices]) {
    const exact = table[model] ?? table[id];
    if (exact) return { ...exact, known: true, matched: table[model] ? model : id };
    let best: string | null = null;
    for (const key of Object.keys(table)) {
      if (key.endsWith('*') && id.startsWith(key.slice(0, -1)) && (!best || key.length > best.length))
        best = key;
    }
    const family = best ? table[best] : undefined;
    if (best && family) return { ...family, known: true, matched: best };
  }
  return { input: 0, output: 0, known: false, matched: null };
}

/** USD for one call; 0 for unknown models (see `lookupPrice(...).known`). */
export function costOf(
  model: string,
  inputTokens: number,
  outputTokens: number,
  overrides?: PriceTable,
): number {
  const price = lookupPrice(model, overrides);
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
