import { type ErrorCode, isAppError } from '@agentflow/contracts';
import type { FastifySchemaValidationError } from 'fastify';
import { toFieldIssues } from './validation-fields';

/** What the client gets (minus request_id) and how loudly we log it. */
export interface ClassifiedError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  /** true for 5xx: the cause is ours, log it with the stack at error level. */
  internal: boolean;
}

export const GENERIC_INTERNAL_MESSAGE =
  'An unexpected error occurred. Quote the request id when reporting it.';

// Fastify's own request errors: their messages are fixed strings, safe to show.
const frameworkCodes: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON', message: 'Request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'INVALID_JSON',
    message: 'Request body is empty but Content-Type is application/json.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', message: 'Malformed URL.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'BAD_REQUEST', message: 'A URL parameter is too long.' },
};

// Any other 4xx (e.g. @fastify/rate-limit's 429) keeps its status and gets the closest code.
const codeByStatus: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'AUTH_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMIT_EXCEEDED',
};

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
  validation?: FastifySchemaValidationError[];
  validationContext?: string;
}

export function classifyError(error: unknown): ClassifiedError {
  if (isAppError(error)) {
    const internal = error.status >= 500;
    return {
      statusCode: error.status,
      code: error.code,
      // A 5xx AppError may wrap a driver message: only the code is a safe promise to clients.
      message: error.status === 500 ? GENERIC_INTERNAL_MESSAGE : error.message,
      details: error.status === 500 ? {} : error.details,
      internal,
    };
  }

  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;

  if (Array.isArray(err.validation) && err.validation.length > 0) {
    return {
      statusCode: 422,
      code: 'VALIDATION_ERROR',
      message: 'Request validation failed.',
      details: { fields: toFieldIssues(err.validation, err.validationContext) },
      internal: false,
    };
  }

  const known = typeof err.code === 'string' ? frameworkCodes[err.code] : undefined;
  const status = httpStatus(err);
  if (known && status !== undefined) {
    return {
      statusCode: status,
      code: known.code,
      message: known.message ?? String(err.message),
      details: {},
      internal: false,
    };
  }

  if (status !== undefined && status >= 400 && status < 500) {
    return {
      statusCode: status,
      code: codeByStatus[status] ?? 'BAD_REQUEST',
      message: typeof err.message === 'string' && err.message ? err.message : 'Bad request.',
      details: {},
      internal: false,
    };
  }

  if (status === 503) {
    return {
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service temporarily unavailable.',
      details: {},
      internal: true,
    };
  }

  // Everything else (thrown bugs, response-schema mismatches, driver errors): ours, never leaked.
  return {
    statusCode: 500,
    code: 'INTERNAL_ERROR',
    message: GENERIC_INTERNAL_MESSAGE,
    details: {},
    internal: true,
  };
}

function httpStatus(err: ErrorLike): number | undefined {
  const value = err.statusCode ?? err.status;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}
