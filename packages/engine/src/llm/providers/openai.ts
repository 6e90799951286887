import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AzureOpenAI,
  OpenAIError,
} from 'openai';
import { LlmError } from '../errors';
import { costOf, lookupPrice, type PriceTable } from '../prices';
import type { ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, LlmProvider } from '../types';
import { type SdkErrorClasses, toLlmError } from './errors';
import {
  type Assembled,
  fromCompletion,
  isReasoningModel,
  StreamAssembler,
  toOpenAiParams,
} from './openai-mapping';
import {
  batches,
  chatCost,
  estimateInputTokens,
  estimateTokens,
  type SdkLogger,
  throwIfAborted,
} from './shared';

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Default `https://api.openai.com/v1`; any OpenAI-compatible server (`http://localhost:11434/v1`). */
  baseUrl?: string;
  organization?: string;
  project?: string;
  /** The provider name the router and fallback order use (default `openai`). */
  name?: string;
  /** Model ids this provider serves; without it, OpenAI's prefixes (gpt-, o1, o3, o4, text-embedding-). */
  models?: string[];
  /** Used when this provider answers as a fallback (default `gpt-4.1-mini`). */
  defaultModel?: string;
  /**
   * The embeddings model of requests that name none (default `text-embedding-3-small`); `null` for
   * a compatible server without embeddings, so the router never picks this provider for them.
   */
  defaultEmbeddingModel?: string | null;
  /**
   * Azure OpenAI: `baseUrl` is the resource endpoint (`https://my-res.openai.azure.com`), model ids are
   * deployment names, the key goes in the `api-key` header and `api-version` in the query.
   */
  azure?: { apiVersion: string };
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Receives the SDK's own log lines (default: console). */
  logger?: SdkLogger;
  /** Per request (default 10 minutes; node timeouts usually fire first). */
  timeoutMs?: number;
  /** USD per 1M tokens for models the built-in table lacks (self-hosted: `{ input: 0, output: 0 }`). */
  prices?: PriceTable;
  /**
   * Which max-tokens field to send. Default: `max_completion_tokens` for api.openai.com and reasoning
   * models (which reject `max_tokens`), `max_tokens` for other servers (which may not know the new one).
   */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /** Ask for usage on streams (`stream_options.include_usage`); turn off for servers that reject it. */
  streamUsage?: boolean;
  /** Texts per embeddings request (OpenAI accepts up to 2048). */
  embeddingBatchSize?: number;
  /** `base64` (OpenAI's compact default) or `float` for servers that only speak plain arrays. */
  embeddingEncoding?: 'base64' | 'float';
}

const openAiPrefixes = /^(?:gpt-|chatgpt-|o1(?:$|-)|o3(?:$|-)|o4(?:$|-)|text-embedding-)/;
const sdkErrors: SdkErrorClasses = {
  base: OpenAIError,
  api: APIError,
  userAbort: APIUserAbortError,
  connection: APIConnectionError,
  timeout: APIConnectionTimeoutError,
};
/** ~1M characters per embeddings request keeps well under OpenAI's 300k-token request limit. */
const maxEmbeddingChars = 1_000_000;

/** OpenAI and OpenAI-compatible endpoints (Azure OpenAI, Ollama, vLLM) through the official SDK. */
export function createOpenAiProvider(opts: OpenAiProviderOptions): LlmProvider {
  const name = opts.name ?? 'openai';
  const client = createClient(opts);
  const official = !opts.azure && (!opts.baseUrl || hostname(name, opts.baseUrl) === 'api.openai.com');
  const errorContext = (signal: AbortSignal | undefined) => ({
    provider: name,
    sdk: sdkErrors,
    signal,
    secrets: [opts.apiKey],
  });
  const cost = (model: string, input: number, output: number) => costOf(model, input, output, opts.prices);

  const shapeFor = (model: string) => ({
    completionTokensParam: opts.maxTokensParam
      ? opts.maxTokensParam === 'max_completion_tokens'
      : official || isReasoningModel(model),
    temperature: !isReasoningModel(model),
  });

  async function complete(req: ChatRequest): Promise<Assembled> {
    const params = toOpenAiParams(req, shapeFor(req.model));
    const options = { signal: req.signal };
    if (!req.onToken)
      return fromCompletion(
        name,
        await client.chat.completions.create({ ...params, stream: false }, options),
      );
    const streamParams: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming = {
      ...params,
      stream: true,
    };
    if (opts.streamUsage ?? true) streamParams.stream_options = { include_usage: true };
    const stream = await client.chat.completions.create(streamParams, options);
    const assembler = new StreamAssembler(name, req.onToken);
    for await (const chunk of stream) assembler.add(chunk);
    throwIfAborted(req.signal);
    return assembler.result();
  }

  return {
    name,
    defaultModel: opts.defaultModel ?? 'gpt-4.1-mini',
    ...(opts.defaultEmbeddingModel === null
      ? {}
      : { defaultEmbeddingModel: opts.defaultEmbeddingModel ?? 'text-embedding-3-small' }),
    supports: (model) => (opts.models ? opts.models.includes(model) : openAiPrefixes.test(model)),
    estimateCost: (model, input, output) => cost(model, input, output),

    async chat(req): Promise<ChatResponse> {
      let out: Assembled;
      try {
        out = await complete(req);
      } catch (err) {
        throw toLlmError(err, errorContext(req.signal));
      }
      checkAnswer(name, req, out);
      const input_tokens = out.usage?.input ?? estimateInputTokens(req.messages);
      const output_tokens =
        out.usage?.output ?? estimateTokens(out.content) + estimateTokens(JSON.stringify(out.tool_calls));
      const model = out.model ?? req.model;
      return {
        content: out.content,
        tool_calls: out.tool_calls,
        input_tokens,
        output_tokens,
        ...chatCost(opts.prices, req.model, model, input_tokens, output_tokens),
        model,
        provider: name,
      };
    },

    async embed(req: EmbedRequest): Promise<EmbedResponse> {
      const vectors: number[][] = [];
      let input_tokens = 0;
      const encoding = opts.embeddingEncoding ?? 'base64';
      try {
        for (const batch of batches(req.texts, opts.embeddingBatchSize ?? 2048, maxEmbeddingChars)) {
          const res = await client.embeddings.create(
            {
              model: req.model,
              input: batch,
              encoding_format: encoding,
              ...(req.dimensions ? { dimensions: req.dimensions } : {}),
            },
            { signal: req.signal },
          );
          if (res.data.length !== batch.length) {
            throw new LlmError(
              'server',
              name,
              `asked for ${batch.length} embeddings, got ${res.data.length}`,
            );
          }
          for (const item of [...res.data].sort((a, b) => a.index - b.index))
            vectors.push(decode(name, item.embedding));
          input_tokens += res.usage?.prompt_tokens ?? batch.reduce((n, t) => n + estimateTokens(t), 0);
        }
      } catch (err) {
        throw toLlmError(err, errorContext(req.signal));
      }
      return {
        vectors,
        input_tokens,
        cost: cost(req.model, input_tokens, 0),
        cost_known: lookupPrice(req.model, opts.prices).known,
        model: req.model,
      };
    },
  };
}

function hostname(provider: string, url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    throw new LlmError('invalid_request', provider, `baseUrl is not a valid URL: ${url.slice(0, 200)}`);
  }
}

function createClient(opts: OpenAiProviderOptions): OpenAI {
  const common = {
    apiKey: opts.apiKey,
    // Explicit nulls: the SDK would otherwise read OPENAI_ORG_ID / OPENAI_PROJECT_ID, and one tenant's
    // provider must never pick up the server's environment.
    organization: opts.organization ?? null,
    project: opts.project ?? null,
    // The engine retries (seed 004 §5.5, node retry policy); SDK retries would multiply attempts.
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 600_000,
    ...(opts.headers ? { defaultHeaders: opts.headers } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
  if (opts.azure) {
    if (!opts.baseUrl) {
      throw new LlmError(
        'invalid_request',
        opts.name ?? 'azure',
        'Azure OpenAI needs baseUrl (the resource endpoint)',
      );
    }
    const endpoint = opts.baseUrl.replace(/\/+$/, '');
    const baseURL = endpoint.endsWith('/openai') ? endpoint : `${endpoint}/openai`;
    return new AzureOpenAI({ ...common, baseURL, apiVersion: opts.azure.apiVersion });
  }
  return new OpenAI({ ...common, baseURL: opts.baseUrl ?? 'https://api.openai.com/v1' });
}

/** Turns answers that are not usable into clear, non-retryable errors instead of empty output. */
function checkAnswer(provider: string, req: ChatRequest, out: Assembled): void {
  if (out.refusal && !out.content && !out.tool_calls.length) {
    throw new LlmError('bad_output', provider, `the model refused: ${out.refusal.slice(0, 300)}`);
  }
  if (out.finish_reason === 'content_filter' && !out.content && !out.tool_calls.length) {
    throw new LlmError('bad_output', provider, 'the answer was blocked by the content filter');
  }
  if (req.response_format && out.finish_reason === 'length' && !out.tool_calls.length) {
    throw new LlmError(
      'bad_output',
      provider,
      `the JSON answer was cut off at max_tokens (${req.max_tokens ?? 'default'})`,
    );
  }
}

/** base64 is little-endian float32 (the SDK's default wire format); plain arrays pass through. */
function decode(provider: string, embedding: unknown): number[] {
  if (Array.isArray(embedding)) return embedding as number[];
  if (typeof embedding !== 'string')
    throw new LlmError('server', provider, 'the API sent an embedding in an unknown format');
  const bytes = Buffer.from(embedding, 'base64');
  // Copy: a Buffer's byteOffset need not be 4-aligned, which Float32Array requires.
  const aligned = new Uint8Array(bytes).buffer;
  return Array.from(new Float32Array(aligned));
}
