import { AgentFlowError } from '@agentflow/sdk';

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

/** zod's default wording ("Too small: expected string to have >=1 characters") in plain words. */
function humanize(message: string): string {
  if (/expected string to have >=1 characters?/.test(message)) return 'is required';
  const min = /expected string to have >=(\d+) characters/.exec(message);
  if (min) return `must be at least ${min[1]} characters`;
  const max = /expected string to have <=(\d+) characters/.exec(message);
  if (max) return `must be at most ${max[1]} characters`;
  if (/^Invalid input: expected string, received undefined/.test(message)) return 'is required';
  return message;
}
