export { AgentFlowClient, type ClientOptions } from './client';
export { AgentFlowError } from './errors';
export {
  type ExecutionStreamOptions,
  ExecutionsApi,
  type WebSocketConstructor,
  type WebSocketLike,
} from './executions';
