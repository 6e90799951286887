import { z } from 'zod';

/**
 * The one registry of error codes the API speaks (seed 004 §4.1, seed 002 §8.1).
 * Every error response carries one of these codes; clients (web, SDK) switch on them.
 * Add a code here before using it anywhere else.
 */
export const errorCodes = {
  VALIDATION_ERROR: 422,
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_TOKEN_EXPIRED: 401,
  AUTH_TOKEN_BLACKLISTED: 401,
  FORBIDDEN: 403,
  POLICY_DENIED: 403,
  RATE_LIMIT_EXCEEDED: 429,
  AGENT_NOT_FOUND: 404,
  EXECUTION_NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
  LLM_API_ERROR: 502,
  LLM_API_TIMEOUT: 504,
  INTERNAL_ERROR: 500,
  // Accounts (issue 3): switching to an org the user does not belong to.
  ORG_NOT_FOUND: 404,
  // Organizations, members, invitations, teams, API keys (issue 3).
  MEMBER_NOT_FOUND: 404,
  TEAM_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  INVITATION_EXPIRED: 410,
  INVITATION_ALREADY_USED: 410,
  INVITATION_REVOKED: 410,
  INVITATION_EMAIL_MISMATCH: 403,
  // Models and integration credentials (issue 4).
  MODEL_NOT_FOUND: 404,
  INTEGRATION_NOT_FOUND: 404,
  // Agents and versions (issue 4).
  AGENT_VERSION_NOT_FOUND: 404,
  AGENT_NOT_PUBLISHED: 409,
  AGENT_ARCHIVED: 409,
  // Executions (issue 5).
  AGENT_NOT_ACTIVE: 409,
  CONCURRENCY_LIMIT_EXCEEDED: 429,
  IDEMPOTENCY_KEY_REUSED: 409,
  EXECUTION_NOT_CANCELLABLE: 409,
  EXECUTION_NOT_WAITING_APPROVAL: 409,
  APPROVAL_NOT_ALLOWED: 403,
  PLAN_LIMIT_EXCEEDED: 429,
  // A plain HTTP request to a WebSocket-only route (the execution stream).
  UPGRADE_REQUIRED: 426,
  // SSO with WorkOS (issue 3 item 2).
  SSO_NOT_CONFIGURED: 404,
  SSO_STATE_INVALID: 400,
  SSO_LOGIN_FAILED: 400,
  SSO_ORG_MISMATCH: 403,
  SSO_ACCOUNT_EXISTS: 409,
  SSO_PROVIDER_ERROR: 502,
  // Webhook triggers (issue 5 item 8). The EXECUTION_* codes answer a sync hook whose run ended badly.
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_HEADERS_MISSING: 400,
  WEBHOOK_TIMESTAMP_INVALID: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_TOKEN_INVALID: 401,
  EXECUTION_FAILED: 422,
  EXECUTION_CANCELLED: 409,
  EXECUTION_TIMEOUT: 504,
  // Knowledge bases (issue 7).
  KNOWLEDGE_BASE_NOT_FOUND: 404,
  // Documents and ingestion (issue 7).
  DOCUMENT_NOT_FOUND: 404,
  EMBEDDING_NOT_CONFIGURED: 422,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeSchema = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);

/** One failing field of a request: `path` is dotted (`body.settings.timeout_seconds`). */
export const fieldIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
});
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/** `{ "error": { code, message, details, request_id } }`: the shape of every non-2xx response. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: errorCodeSchema,
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/**
 * Thrown by services and routes; the API's error handler turns it into the envelope.
 * `details.fields` (a FieldIssue[]) names failing fields for validation errors.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
