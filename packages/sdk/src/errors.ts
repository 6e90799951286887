import type { ErrorCode } from '@agentflow/contracts';

/** Every non-2xx answer of the API, with the envelope's fields lifted onto the error. */
export class AgentFlowError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';
  readonly details: Record<string, unknown>;
  readonly requestId: string | undefined;

  constructor(init: {
    status: number;
    code: AgentFlowError['code'];
    message: string;
    details?: Record<string, unknown>;
    requestId?: string | undefined;
  }) {
    super(init.message);
    this.name = 'AgentFlowError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
  }
}
