/** Width of `document_chunks.embedding` (text-embedding-3-small): every embedder returns vectors this long. */
export const EMBEDDING_DIMENSIONS = 1536;

/**
 * Turns texts into vectors of `dimensions` numbers (one per input, same order). `embed` batches large
 * inputs, retries provider failures (429 / 5xx / connection) with backoff, and stops on `signal`.
 */
export interface Embedder {
  /** The model name as stored on the knowledge base (`local-hash-1536`, `text-embedding-3-small` ...). */
  readonly model: string;
  /** Always {@link EMBEDDING_DIMENSIONS}: shorter provider vectors are zero-padded. */
  readonly dimensions: number;
  /** True for the built-in local embedder (no network, no cost). */
  readonly local: boolean;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}

/**
 * Why embedding failed. `retryable` is true for provider trouble that outlived the retries (rate
 * limits, 5xx, connection errors): the document may succeed on a later re-index. The message never
 * holds an API key.
 */
export class EmbeddingError extends Error {
  override readonly name = 'EmbeddingError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
