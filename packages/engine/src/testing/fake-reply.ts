/** One scripted answer of a fake provider. Content fields and failure fields combine freely. */
export interface FakeReply {
  /** Assistant text. */
  text?: string;
  toolCalls?: FakeToolCall[];
  /**
   * A JSON answer. OpenAI: the message content. Anthropic: the input of the forced tool
   * (`tool_choice: { type: 'tool' }`), or of the last declared tool under `tool_choice: any`.
   */
  json?: unknown;
  /** Token counts to report (default: ~4 characters per token of the request and the answer). */
  usage?: { input?: number; output?: number };
  /** The model the response names (default: the requested one). */
  model?: string;
  /** Override the finish/stop reason (`length`, `max_tokens`, `content_filter`, `refusal`...). */
  finishReason?: string;
  /** OpenAI: a refusal message instead of content. */
  refusal?: string;
  /** Streaming: the text pieces, in order (default: word by word). */
  chunks?: string[];

  /** Fail with this HTTP status and the provider's error body. */
  status?: number;
  /** Error type in the body (`rate_limit_error`, `server_error`...; a sensible one per status by default). */
  errorType?: string;
  errorMessage?: string;
  /** Error code (OpenAI `insufficient_quota`, `invalid_api_key`...). */
  errorCode?: string;
  /** Seconds, sent as `retry-after` (with `retry-after-ms` on the OpenAI fake). */
  retryAfter?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Send this body verbatim with status 200 (malformed responses); raw SSE text when streaming. */
  rawBody?: string;
  /** Wait this long before answering (timeouts, aborts before the first byte). */
  delayMs?: number;
  /** Streaming: wait this long before each content event. */
  chunkDelayMs?: number;
  /** Streaming: after this many content events stop sending, keeping the connection open. */
  stallAfter?: number;
  /** Streaming: after this many content events destroy the connection. */
  dropAfter?: number;
  /** Streaming: after this many content events send the provider's in-stream error event and end. */
  streamErrorAfter?: number;
}

export interface FakeToolCall {
  /** Default `call_fake_<n>` (OpenAI) or `toolu_fake_<n>` (Anthropic). */
  id?: string;
  name: string;
  /** An object (serialized for the wire) or raw argument text (to test malformed arguments). */
  arguments: Record<string, unknown> | string;
}

/** What a fake server received: assert on it to check what the SDK sent. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string (`/v1/chat/completions`). */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (undefined for none, the raw text when not JSON). */
  body: unknown;
}

export type FakeResponder = (request: RecordedRequest) => FakeReply;
