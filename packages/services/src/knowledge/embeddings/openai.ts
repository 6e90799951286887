import OpenAI from 'openai';
import { type RetryOptions, withRetries } from './retry';
import { EMBEDDING_DIMENSIONS, type Embedder, EmbeddingError } from './types';

export interface OpenAiEmbedderOptions extends RetryOptions {
  /** The model name stored on the base (reported as `embedder.model`). */
  model: string;
  /** The model id sent to the provider (defaults to `model`). */
  providerModel?: string | undefined;
  /**
   * `openai`: OpenAI's API (text-embedding-3-* are asked for 1536 dimensions). `openai_compatible`: any
   * server speaking the embeddings endpoint (Ollama, vLLM ...): shorter vectors are zero-padded to 1536
   * (cosine similarity is unchanged by trailing zeros), longer ones are refused.
   */
  kind: 'openai' | 'openai_compatible';
  /** Null/absent for keyless servers (the SDK needs a value; a placeholder is sent). */
  apiKey?: string | null | undefined;
  /** Base URL ending in `/v1`; absent: api.openai.com. */
  baseUrl?: string | undefined;
  /** SSRF-checking fetch for org endpoints. */
  fetch?: typeof fetch | undefined;
  /** Inputs per request (default 256; OpenAI allows 2048 and ~300k tokens). */
  batchSize?: number | undefined;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
}

const PLACEHOLDER_KEY = 'not-needed';

/** Embeddings through the official `openai` SDK, for OpenAI and OpenAI-compatible servers. */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const client = new OpenAI({
    apiKey: options.apiKey || PLACEHOLDER_KEY,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Retries are ours (below): the SDK's would multiply with them.
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
  });
  const providerModel = options.providerModel ?? options.model;
  const batchSize = Math.max(1, options.batchSize ?? 256);
  // text-embedding-3-* can shorten their vectors server-side; ada-002 and others cannot.
  const askDimensions = options.kind === 'openai' && providerModel.startsWith('text-embedding-3');

  const embedBatch = async (input: string[], signal?: AbortSignal): Promise<number[][]> => {
    const response = await withRetries(
      () =>
        client.embeddings.create(
          {
            model: providerModel,
            input,
            ...(askDimensions ? { dimensions: EMBEDDING_DIMENSIONS } : {}),
            // Compatible servers do not all speak base64 (the SDK's default).
            ...(options.kind === 'openai_compatible' ? { encoding_format: 'float' as const } : {}),
          },
          signal ? { signal } : undefined,
        ),
      retryable,
      { ...options, signal },
    ).catch((error: unknown) => {
      throw toEmbeddingError(error, options.model, signal);
    });
    const vectors = new Array<number[]>(input.length);
    for (const item of response.data)
      vectors[item.index] = padTo1536(item.embedding as number[], options.model);
    for (let i = 0; i < vectors.length; i++) {
      if (!vectors[i])
        throw new EmbeddingError(`${options.model}: the provider returned no vector for input ${i}`, false);
    }
    return vectors;
  };

  return {
    model: options.model,
    dimensions: EMBEDDING_DIMENSIONS,
    local: false,
    async embed(texts, signal) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        // Empty strings are refused by OpenAI: send a single space instead (its vector is still valid).
        const batch = texts.slice(i, i + batchSize).map((t) => (t.length > 0 ? t : ' '));
        out.push(...(await embedBatch(batch, signal)));
      }
      return out;
    },
  };
}

/** Zero-pads a short vector to 1536; refuses a longer one (it cannot be stored without distortion). */
function padTo1536(vector: number[], model: string): number[] {
  if (!Array.isArray(vector))
    throw new EmbeddingError(`${model}: the provider returned a malformed vector`, false);
  if (vector.length === EMBEDDING_DIMENSIONS) return vector;
  if (vector.length > EMBEDDING_DIMENSIONS) {
    throw new EmbeddingError(
      `${model} returns ${vector.length}-dimensional vectors; at most ${EMBEDDING_DIMENSIONS} are supported`,
      false,
    );
  }
  if (vector.length === 0) throw new EmbeddingError(`${model}: the provider returned an empty vector`, false);
  const padded = vector.slice();
  padded.length = EMBEDDING_DIMENSIONS;
  return padded.fill(0, vector.length);
}

/** 429, 5xx, 408/409 and connection errors are worth another try; Retry-After is honoured. */
function retryable(error: unknown): boolean | number {
  if (error instanceof OpenAI.APIUserAbortError) return false;
  if (error instanceof OpenAI.APIConnectionError) return true;
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    if (status === 429 || status === 408 || status === 409 || status >= 500) {
      const ms = Number(error.headers?.get('retry-after-ms'));
      if (Number.isFinite(ms) && ms > 0) return ms;
      const seconds = Number(error.headers?.get('retry-after'));
      if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
      return true;
    }
  }
  return false;
}

function toEmbeddingError(error: unknown, model: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof EmbeddingError) return error;
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const retry = retryable(error) !== false;
    // The SDK's message is the provider's text; strip anything that looks like a key before storing it.
    const text = redactKeys(error.message);
    const what = status ? `HTTP ${status}` : 'connection failed';
    return new EmbeddingError(`embedding with ${model} failed (${what}): ${text}`, retry, { cause: error });
  }
  return new EmbeddingError(
    `embedding with ${model} failed: ${redactKeys(String((error as Error)?.message ?? error))}`,
    false,
    {
      cause: error,
    },
  );
}

function redactKeys(text: string): string {
  return text.replace(/\b(sk|key|api)[-_A-Za-z0-9]{8,}/g, '[redacted]').slice(0, 500);
}
