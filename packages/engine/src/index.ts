export * from './checkpoint';
export { type CompileOptions, compileDefinition } from './compiler/compile';
export type { StepCompleteEvent, StepFailEvent, StepHooks, StepStartEvent } from './compiler/hooks';
export type { CompiledAgent, EngineGraph, PendingInterrupt, RunOptions, RunResult } from './compiler/run';
export type { EngineState, LoopFrame, NodeResult, StepLogEntry, TriggerInput } from './compiler/state';
export { EngineStateAnnotation } from './compiler/state';
export {
  AbortedError,
  DefinitionInvalidError,
  EngineError,
  isRetryable,
  StepError,
  StepTimeoutError,
  VariableError,
} from './errors';
export { contextText as knowledgeContextText, knowledgeSearchHandler } from './handlers/knowledge';
export { createDefaultRegistry, HandlerRegistry } from './handlers/registry';
export {
  type CredentialResolver,
  defineHandler,
  type EngineEvent,
  type EngineServices,
  type HandlerContext,
  type HandlerResult,
  type KnowledgeHit,
  type KnowledgeSearch,
  type NodeHandler,
} from './handlers/types';
export * from './http';
export { validateJson } from './json-schema';
export * from './llm';
export { backoffDelay, type RetryPolicy, retryPolicy } from './retry';
export { createServices } from './services';
export { sleep } from './sleep';
export {
  type CrewTemplateOptions,
  hierarchicalCrewTemplate,
  sequentialCrewTemplate,
} from './templates/crews';
export { compileValue, evaluateCondition, resolveValue, type Scope, stringify } from './variables';
