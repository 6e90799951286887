import type { FieldIssue } from '@agentflow/contracts';
import type { FastifySchemaValidationError } from 'fastify';

// Fastify names the request part `querystring`; clients know it as the query.
const partNames: Record<string, string> = { querystring: 'query' };

/**
 * Turns Fastify validation errors (zod issues adapted by fastify-type-provider-zod, or Ajv errors)
 * into `{ path: 'body.settings.timeout', message }` entries that name the failing field.
 */
export function toFieldIssues(
  validation: FastifySchemaValidationError[],
  context: string | undefined,
): FieldIssue[] {
  const part = context ? (partNames[context] ?? context) : 'request';
  return validation.flatMap((issue) => {
    const segments = issue.instancePath.split('/').filter(Boolean).map(decodePointer);
    const code = issue.keyword;
    // A strict object reports extra keys on the parent with the key names in params: name each key.
    const keys = issue.params?.keys;
    if (code === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
      return keys.map((key) => ({
        path: joinPath(part, [...segments, String(key)]),
        message: 'is not allowed',
        code,
      }));
    }
    return [{ path: joinPath(part, segments), message: issue.message ?? 'is invalid', code }];
  });
}

function joinPath(part: string, segments: string[]): string {
  return [part, ...segments].join('.');
}

// JSON pointer escapes (Ajv): ~1 is "/", ~0 is "~".
function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
