/**
 * Log redaction paths. pino matches exact paths (with `*` as a one-level wildcard), so each secret is
 * listed under every place it can realistically appear: request/response headers as logged by code
 * (`req.log.info({ headers })`), and credential fields of bodies up to two levels deep.
 */

/** Header names are lower-case in Node. */
export const secretHeaders = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'];

export const secretFields = [
  'password',
  'new_password',
  'current_password',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'client_secret',
  'api_key',
  'apiKey',
  'private_key',
];

const headerContainers = ['headers', 'req.headers', 'request.headers', 'res.headers', 'reply.headers'];

// `*` covers `{ body: {...} }`, `{ user: {...} }` etc.; `*.*` one level deeper (`req.body.password`).
const fieldContainers = ['', '*.', '*.*.'];

export const redactPaths: string[] = [
  ...headerContainers.flatMap((container) => secretHeaders.map((name) => `${container}["${name}"]`)),
  ...fieldContainers.flatMap((prefix) => secretFields.map((field) => `${prefix}${field}`)),
];

/** `postgres://user:pass@host` -> `postgres://user:[REDACTED]@host`, anywhere in a string. */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)[^@/\s]+@/gi, '$1[REDACTED]@');
}
