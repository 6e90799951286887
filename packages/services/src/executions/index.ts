export {
  getExecution,
  listExecutionEvents,
  listExecutionLogs,
  listExecutionSteps,
  listExecutions,
} from './read';
export { createRecorder, type EventPublisher, executionEventChannel } from './recorder';
export {
  type RunExecutionDeps,
  type RunExecutionOptions,
  type RunExecutionOutcome,
  runExecution,
} from './run';
export { type ExecutionQueue, type StartExecutionInput, startExecution } from './start';
