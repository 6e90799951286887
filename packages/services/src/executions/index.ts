export { appendExecutionEvents, eventMessage, publishStoredEvents } from './append';
export {
  canDecide,
  decideApproval,
  listApprovals,
  redeliver,
  sweepApprovalTimeouts,
} from './approvals';
export { type ControlMessage, cancelExecution, EXECUTION_CONTROL_CHANNEL } from './cancel';
export {
  getExecution,
  listExecutionEvents,
  listExecutionLogs,
  listExecutionSteps,
  listExecutions,
} from './read';
export { recoverPending, sweepExpiredLeases } from './reaper';
export { createRecorder, type EventPublisher, executionEventChannel } from './recorder';
export {
  type RunExecutionDeps,
  type RunExecutionOptions,
  type RunExecutionOutcome,
  runExecution,
} from './run';
export {
  createExecutionRuntime,
  type ExecutionRuntime,
  type ExecutionRuntimeDeps,
  type RuntimeBus,
  type RuntimeQueue,
} from './runtime';
export { type ExecutionQueue, type StartExecutionInput, startExecution } from './start';
export { type ExecutionEventsPage, readExecutionEventsPage } from './stream';
