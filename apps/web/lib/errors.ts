import { AgentFlowError } from '@agentflow/sdk';
import type { z } from 'zod';

/** The API's error codes in plain words: what happened and what to do next. */
const plainWords: Partial<Record<AgentFlowError['code'], string>> = {
  NETWORK_ERROR: 'AgentFlow could not be reached. Check your connection and try again.',
  UNEXPECTED_RESPONSE: 'AgentFlow answered in a way we did not expect. Try again in a moment.',
  AUTH_INVALID_CREDENTIALS: 'That email and password do not match an account. Check them and try again.',
  AUTH_REQUIRED: 'Your session has ended. Please log in again.',
  AUTH_TOKEN_EXPIRED: 'Your session has ended. Please log in again.',
  AUTH_TOKEN_INVALID: 'Your session is no longer valid. Please log in again.',
  AUTH_TOKEN_BLACKLISTED: 'You were signed out. Please log in again.',
  RATE_LIMIT_EXCEEDED: 'Too many attempts in a short time. Wait a few minutes, then try again.',
  FORBIDDEN: 'Your role in this organization does not allow this. Ask an admin for access.',
  AGENT_NOT_FOUND: 'This agent no longer exists, or belongs to another organization.',
  AGENT_NOT_PUBLISHED:
    'This agent has no published version yet, so it cannot be activated. Publish it first.',
  AGENT_ARCHIVED: 'This agent is archived and can no longer be changed. Clone it to keep working on it.',
  ORG_NOT_FOUND: 'You are not a member of that organization any more.',
  SERVICE_UNAVAILABLE: 'AgentFlow is temporarily unavailable. Try again in a moment.',
  INVITATION_NOT_FOUND:
    'This invitation link is not valid. Check that you copied the whole link, or ask for a new invitation.',
  INVITATION_EXPIRED: 'This invitation has expired. Ask the person who invited you to send a new one.',
  INVITATION_ALREADY_USED: 'This invitation has already been used. Log in to reach the organization.',
  INVITATION_REVOKED: 'This invitation was withdrawn. Ask the person who invited you to send a new one.',
  INVITATION_EMAIL_MISMATCH:
    'This invitation was sent to a different email address than the account you are signed in with.',
  SSO_NOT_CONFIGURED:
    'Single sign-on is not set up for that organization. Check the organization ID, or log in with your password.',
  SSO_STATE_INVALID:
    'The sign-in took too long or was started in another browser or tab. Start it again from here.',
  SSO_LOGIN_FAILED: 'Your identity provider did not complete the sign-in. Try again, or ask your IT admin.',
  SSO_ORG_MISMATCH:
    'Your identity provider signed you in for a different organization. Check the organization ID.',
  SSO_ACCOUNT_EXISTS:
    'An account with this email already exists and your identity provider has not verified the email. Log in with your password instead.',
  SSO_PROVIDER_ERROR: 'The single sign-on service could not be reached. Try again in a moment.',
  VALIDATION_ERROR: 'Some fields need attention.',
};

export function describeError(err: unknown): string {
  if (err instanceof AgentFlowError) {
    if (err.code === 'CONFLICT') return err.message;
    if (err.code === 'INTERNAL_ERROR') {
      return `Something went wrong on our side. Try again; if it keeps happening, quote reference ${err.requestId ?? 'unknown'}.`;
    }
    return plainWords[err.code] ?? err.message;
  }
  return 'Something unexpected went wrong. Try again.';
}

/** An error code that arrived without its envelope (e.g. `?error=` of a redirect), in plain words. */
export function describeErrorCode(code: string, requestId?: string | null): string {
  if (code === 'INTERNAL_ERROR') {
    return `Something went wrong on our side. Try again; if it keeps happening, quote reference ${requestId ?? 'unknown'}.`;
  }
  return (
    plainWords[code as AgentFlowError['code']] ??
    `Something went wrong (${code}). Try again; if it keeps happening, quote reference ${requestId ?? 'unknown'}.`
  );
}

/** `details.fields` of a validation (or conflict) error, keyed by body field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof AgentFlowError)) return {};
  const fields = err.details.fields;
  if (!Array.isArray(fields)) return {};
  const out: Record<string, string> = {};
  for (const f of fields) {
    if (!f || typeof f !== 'object') continue;
    const { path, message } = f as { path?: unknown; message?: unknown };
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    const name = path.replace(/^body\./, '').split('.')[0] ?? path;
    out[name] ??= humanize(message);
  }
  return out;
}

/**
 * Client-side validation with a contracts schema, in the same words as the API's field errors: the
 * first issue of each top-level field, keyed by field name.
 */
export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    out[name] ??= humanize(issue.message);
  }
  return out;
}

/** zod's default wording ("Too small: expected string to have >=1 characters") in plain words. */
export function humanize(message: string): string {
  if (/expected string to have >=1 characters?/.test(message)) return 'is required';
  const min = /expected string to have >=(\d+) characters/.exec(message);
  if (min) return `must be at least ${min[1]} characters`;
  const max = /expected string to have <=(\d+) characters/.exec(message);
  if (max) return `must be at most ${max[1]} characters`;
  if (/^Invalid input: expected string, received undefined/.test(message)) return 'is required';
  const atLeast = /^Too small: expected number to be >=(-?[\d.]+)$/.exec(message);
  if (atLeast) return `must be at least ${atLeast[1]}`;
  const atMost = /^Too big: expected number to be <=(-?[\d.]+)$/.exec(message);
  if (atMost) return `must be at most ${atMost[1]}`;
  if (/^Invalid input: expected int, received number$/.test(message)) return 'must be a whole number';
  if (/^Invalid input: expected (number|int), received (NaN|undefined|string)$/.test(message)) {
    return 'must be a number';
  }
  // Field names inside a message ("must be smaller than chunk_size") as the form labels say them.
  return message.replace(/\b([a-z]+)_([a-z]+)\b/g, '$1 $2');
}
