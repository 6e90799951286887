import {
  createAnthropicProvider,
  createEchoProvider,
  createOpenAiProvider,
  type LlmProvider,
  type SdkLogger,
} from '@agentflow/engine';
import { effectiveEndpoint } from './endpoint';
import type { ModelRow } from './rows';

export interface ProviderBuildOptions {
  /** The provider's name in the router (unique per model, so two OpenAI models keep their own keys). */
  name: string;
  /** SSRF-checking fetch for org endpoints; the SDK's default otherwise. */
  fetch?: typeof fetch | undefined;
  logger?: SdkLogger | undefined;
  timeoutMs?: number | undefined;
}

// Self-hosted models cost nothing per token; an unknown price would otherwise read as "unknown".
const free = (model: string) => ({ [model]: { input: 0, output: 0 } });
const DEFAULT_AZURE_API_VERSION = '2024-10-21';
// Ollama and most self-hosted servers ignore the key, but the SDK refuses to run without one.
const PLACEHOLDER_KEY = 'not-needed';

/**
 * The engine provider serving exactly one stored model: it answers only its `model_identifier` (so
 * routing by provider model id picks the right row) and uses it as its fallback model.
 */
export function providerForModel(
  row: ModelRow,
  apiKey: string | null,
  opts: ProviderBuildOptions,
): LlmProvider {
  const model = row.modelIdentifier;
  const common = {
    name: opts.name,
    models: [model],
    defaultModel: model,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  };
  const baseUrl = effectiveEndpoint(row.provider, row.endpointUrl) ?? undefined;
  switch (row.provider) {
    case 'echo':
      return createEchoProvider();
    case 'anthropic':
      return createAnthropicProvider({
        ...common,
        apiKey: apiKey ?? PLACEHOLDER_KEY,
        ...(baseUrl ? { baseUrl } : {}),
        ...maxTokens(row.params),
      });
    case 'azure_openai': {
      const version = row.params.api_version;
      return createOpenAiProvider({
        ...common,
        apiKey: apiKey ?? PLACEHOLDER_KEY,
        ...(baseUrl ? { baseUrl } : {}),
        azure: { apiVersion: typeof version === 'string' ? version : DEFAULT_AZURE_API_VERSION },
      });
    }
    case 'ollama':
    case 'openai_compatible':
      return createOpenAiProvider({
        ...common,
        apiKey: apiKey ?? PLACEHOLDER_KEY,
        ...(baseUrl ? { baseUrl } : {}),
        ...(row.provider === 'ollama' ? { prices: free(model) } : {}),
      });
    default:
      // openai, and any provider string stored before the contracts narrowed it.
      return createOpenAiProvider({
        ...common,
        apiKey: apiKey ?? PLACEHOLDER_KEY,
        ...(baseUrl ? { baseUrl } : {}),
      });
  }
}

function maxTokens(params: Record<string, unknown>): { defaultMaxTokens?: number } {
  return typeof params.max_tokens === 'number' ? { defaultMaxTokens: params.max_tokens } : {};
}
