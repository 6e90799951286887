export {
  costOf,
  defaultPrices,
  lookupPrice,
  type ModelPrice,
  normalizeModelId,
  type PriceLookup,
  type PriceTable,
} from '../prices';
export { type AnthropicProviderOptions, createAnthropicProvider } from './anthropic';
export { createOpenAiProvider, type OpenAiProviderOptions } from './openai';
export type { SdkLogger } from './shared';
