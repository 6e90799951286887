import type { SimpleJsonSchema } from '@agentflow/contracts';

/**
 * The provider interface (seed 004 §5.2). Real providers (OpenAI and compatible endpoints, Anthropic)
 * implement `LlmProvider` in a later wave; handlers only ever talk to an `LlmRouter`.
 */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string; name: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema (type object) of the arguments. */
  parameters: SimpleJsonSchema;
}

export interface ChatRequest {
  /** A model reference: provider model id or org model id; the router maps it to a provider. */
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** `required`: the model must call a tool; `{ name }`: that tool. Default `auto`. */
  tool_choice?: 'auto' | 'required' | { name: string };
  /** Ask for JSON matching the schema (OpenAI json_schema / Anthropic tool-forced output). */
  response_format?: { type: 'json_schema'; name: string; schema: SimpleJsonSchema };
  temperature?: number;
  max_tokens?: number;
  signal?: AbortSignal;
  /** Streaming: called with each text chunk as it arrives. */
  onToken?: (chunk: string) => void;
  /**
   * Streaming: the chunks sent to `onToken` so far belong to an attempt that failed and is being
   * replaced (a router fallback here; engine retries emit the same `llm.restart` event themselves).
   * Called before the new attempt streams, and only when the failed attempt had streamed something,
   * so a consumer can drop the partial text instead of showing it twice.
   */
  onRestart?: () => void;
}

export interface ChatResponse {
  content: string;
  tool_calls: ToolCall[];
  input_tokens: number;
  output_tokens: number;
  /** USD, from the provider's price table; 0 when `cost_known` is false. */
  cost: number;
  /**
   * False when the model is not in the price table (a self-hosted model without `prices`, a new
   * model): the 0 above is "unknown", not "free", and billing/UI must say so.
   */
  cost_known: boolean;
  /** The model that actually answered (after routing and fallback). */
  model: string;
  provider: string;
}

export interface EmbedRequest {
  model: string;
  texts: string[];
  dimensions?: number;
  signal?: AbortSignal;
}

export interface EmbedResponse {
  vectors: number[][];
  input_tokens: number;
  /** USD; 0 when `cost_known` is false (see ChatResponse). */
  cost: number;
  cost_known: boolean;
  model: string;
}

export interface LlmProvider {
  /** `openai`, `anthropic`, `echo`... */
  readonly name: string;
  /** The model used when this provider serves as a fallback for another provider's model. */
  readonly defaultModel: string;
  /** The embeddings model used when a request names none; absent: the provider has no embeddings. */
  readonly defaultEmbeddingModel?: string;
  /** True for the offline echo model: never chosen implicitly when a real provider exists. */
  readonly offline?: boolean;
  /** Whether this provider serves `model` (a provider model id). */
  supports(model: string): boolean;
  chat(req: ChatRequest): Promise<ChatResponse>;
  embed(req: EmbedRequest): Promise<EmbedResponse>;
  estimateCost(model: string, inputTokens: number, outputTokens: number): number;
}

export interface LlmRouter {
  chat(req: Omit<ChatRequest, 'model'> & { model?: string }): Promise<ChatResponse>;
  /** Never falls back to another provider (see the router). */
  embed(req: Omit<EmbedRequest, 'model'> & { model?: string }): Promise<EmbedResponse>;
  estimateCost(model: string, inputTokens: number, outputTokens: number): number;
  /** The model a node without `model` uses: a real provider's default when one exists. */
  defaultModel(): string;
  /** The embeddings model of requests that name none (throws LLM_NO_PROVIDER when there is none). */
  defaultEmbeddingModel(): string;
}
