export { AgentFlowClient, type ClientOptions, type RequestOptions } from './client';
export { AgentFlowError } from './errors';
export {
  type ExecutionStreamOptions,
  ExecutionsApi,
  type WebSocketConstructor,
  type WebSocketLike,
} from './executions';
export {
  type AddTextDocumentInput,
  type AddUrlDocumentInput,
  type CreateKnowledgeBaseInput,
  KnowledgeApi,
  type KnowledgeMultiQueryInput,
  type KnowledgeQueryInput,
  type ListBasesOptions,
  type ListOptions,
  type UploadFileInput,
} from './knowledge';
