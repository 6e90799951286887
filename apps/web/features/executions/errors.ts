import { AgentFlowError } from '@agentflow/sdk';
import { describeError } from '@/lib/errors';

/** lib/errors' plain words, plus the execution and approval codes this area meets. */
const executionWords: Record<string, string> = {
  EXECUTION_NOT_FOUND: 'This execution does not exist, or belongs to another organization.',
  EXECUTION_NOT_CANCELLABLE: 'This execution has already ended, so there is nothing to cancel.',
  EXECUTION_NOT_WAITING_APPROVAL:
    'This approval was already decided (perhaps by someone else just now), or the run was cancelled.',
  APPROVAL_NOT_ALLOWED: 'You are not one of the approvers of this step. Ask one of them to decide.',
  AGENT_VERSION_NOT_FOUND: 'The agent version this run used no longer exists.',
};

export function describeExecutionError(err: unknown): string {
  if (err instanceof AgentFlowError && executionWords[err.code]) return executionWords[err.code] as string;
  return describeError(err);
}
