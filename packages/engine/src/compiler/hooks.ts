import type { EngineEvent } from '../handlers/types';

/**
 * What the executions layer persists (step rows, events). Hooks are awaited: a step row is written
 * before the handler runs. A throwing hook fails the run (the database owns the truth).
 * Note: a human node's step starts again when the run resumes (interrupt() re-runs the node).
 */
export interface StepStartEvent {
  node_id: string;
  type: string;
  subtype: string;
  label: string;
  attempt: number;
  /** The resolved config. Credentials are added later by handlers, so none appear here. */
  input: unknown;
  /**
   * The handler has no outside effect (NodeHandler.replayable). A durable consumer may let such a
   * step start before earlier writes are committed, and must make any other step wait for them.
   */
  replayable: boolean;
}

export interface StepCompleteEvent extends StepStartEvent {
  output: unknown;
  branch?: string;
  tokens?: { input: number; output: number };
  cost?: number;
  /** False when `cost` includes a model without a price (counted as 0): show it as unknown. */
  cost_known?: boolean;
  duration_ms: number;
}

export interface StepFailEvent extends Omit<StepStartEvent, 'input'> {
  /** Undefined when resolving the config failed (a missing variable). */
  input?: unknown;
  error: Error;
  code: string;
  retryable: boolean;
  will_retry: boolean;
  duration_ms: number;
}

export interface StepHooks {
  onStepStart?(event: StepStartEvent): void | Promise<void>;
  onStepComplete?(event: StepCompleteEvent): void | Promise<void>;
  onStepFail?(event: StepFailEvent): void | Promise<void>;
  /** Events emitted during a step (tokens, tool calls, retries, approval requests); not awaited. */
  onEvent?(event: EngineEvent): void;
}
