import Anthropic, {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { LlmError } from '../errors';
import { costOf, type PriceTable } from '../prices';
import type { ChatRequest, ChatResponse, LlmProvider } from '../types';
import { fromAnthropicMessage, type OutputTool, toAnthropicParams } from './anthropic-mapping';
import { type SdkErrorClasses, toLlmError } from './errors';
import { chatCost, type SdkLogger, throwIfAborted } from './shared';

export interface AnthropicProviderOptions {
  apiKey: string;
  /** Default `https://api.anthropic.com` (a proxy or gateway speaking the Messages API otherwise). */
  baseUrl?: string;
  /** The provider name the router and fallback order use (default `anthropic`). */
  name?: string;
  /** Model ids this provider serves; without it, every `claude-*` id. */
  models?: string[];
  /** Used when this provider answers as a fallback (default `claude-sonnet-4-6`). */
  defaultModel?: string;
  /** `max_tokens` is required by the Messages API: this fills it when a request sets none. */
  defaultMaxTokens?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Receives the SDK's own log lines (default: console). */
  logger?: SdkLogger;
  /** Per request (default 10 minutes; node timeouts usually fire first). */
  timeoutMs?: number;
  /** USD per 1M tokens for models the built-in table lacks. */
  prices?: PriceTable;
}

const sdkErrors: SdkErrorClasses = {
  base: AnthropicError,
  api: APIError,
  userAbort: APIUserAbortError,
  connection: APIConnectionError,
  timeout: APIConnectionTimeoutError,
};

/**
 * Anthropic's Messages API through the official SDK. `response_format` is answered through a forced
 * tool whose input schema is the requested schema. `temperature` is not sent: the SDK's API version
 * (2026-10-21) has no sampling parameters.
 */
export function createAnthropicProvider(opts: AnthropicProviderOptions): LlmProvider {
  const name = opts.name ?? 'anthropic';
  const client = new Anthropic({
    // Passing the key keeps the SDK from reading ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN; an explicit
    // baseURL keeps it from reading ANTHROPIC_BASE_URL: one tenant's provider never uses server env.
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl ?? 'https://api.anthropic.com',
    // The engine retries (seed 004 §5.5, node retry policy); SDK retries would multiply attempts.
    maxRetries: 0,
    // An explicit timeout also lifts the SDK's refusal of large non-streaming max_tokens.
    timeout: opts.timeoutMs ?? 600_000,
    ...(opts.headers ? { defaultHeaders: opts.headers } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const errorContext = (signal: AbortSignal | undefined) => ({
    provider: name,
    sdk: sdkErrors,
    signal,
    secrets: [opts.apiKey],
  });

  async function send(req: ChatRequest): Promise<{ msg: Message; output: OutputTool | null }> {
    const { params, output } = toAnthropicParams(req, opts.defaultMaxTokens ?? 4096);
    const options = { signal: req.signal };
    const onToken = req.onToken;
    if (!onToken) return { msg: await client.messages.create(params, options), output };
    const stream = client.messages.stream(params, options);
    stream.on('text', (delta) => onToken(delta));
    if (output && !output.wrapped) {
      // The JSON answer streams as the answer tool's input: forward it like text, as OpenAI does.
      stream.on('streamEvent', (event, snapshot) => {
        if (event.type !== 'content_block_delta' || event.delta.type !== 'input_json_delta') return;
        const block = snapshot.content[event.index];
        if (block?.type === 'tool_use' && block.name === output.name) onToken(event.delta.partial_json);
      });
    }
    const msg = await stream.finalMessage();
    throwIfAborted(req.signal);
    return { msg, output };
  }

  return {
    name,
    defaultModel: opts.defaultModel ?? 'claude-sonnet-4-6',
    supports: (model) => (opts.models ? opts.models.includes(model) : model.startsWith('claude-')),
    estimateCost: (model, input, output) => costOf(model, input, output, opts.prices),

    async chat(req): Promise<ChatResponse> {
      let sent: { msg: Message; output: OutputTool | null };
      try {
        sent = await send(req);
      } catch (err) {
        throw toLlmError(err, errorContext(req.signal));
      }
      const answer = fromAnthropicMessage(name, sent.msg, sent.output);
      const model = sent.msg.model || req.model;
      return {
        content: answer.content,
        tool_calls: answer.tool_calls,
        input_tokens: answer.input_tokens,
        output_tokens: answer.output_tokens,
        ...chatCost(opts.prices, req.model, model, answer.billed_input_tokens, answer.output_tokens),
        model,
        provider: name,
      };
    },

    async embed() {
      // Not retryable and no fallback (invalid_request): vectors of another provider's model would not
      // match the ones already stored, so an embeddings model must be chosen explicitly.
      throw new LlmError(
        'invalid_request',
        name,
        'Anthropic has no embeddings API; configure an OpenAI-compatible embeddings model',
      );
    },
  };
}
