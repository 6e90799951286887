export { createEchoProvider, ECHO_MODEL, type EchoOptions } from './echo';
export { LlmError, type LlmErrorKind } from './errors';
export { createLazyLlmRouter } from './lazy';
export * from './providers';
export { createLlmRouter, type RouterOptions } from './router';
export type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  LlmProvider,
  LlmRouter,
  ToolCall,
  ToolDefinition,
} from './types';
