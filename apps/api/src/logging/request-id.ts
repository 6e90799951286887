import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller's id ends up in every log line and in the response header: accept only a short, plain
// token so it cannot inject log fields, header lines or megabytes of text.
const wellFormed = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('base64url')}`;
}

/** Fastify `genReqId`: keep a well-formed incoming `X-Request-ID` (a proxy's trace), else mint one. */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(incoming) ? incoming[0] : incoming;
  return candidate && wellFormed.test(candidate) ? candidate : newRequestId();
}
