export { AgentFlowClient, type ClientOptions } from './client';
export { AgentFlowError } from './errors';
