import { secretFields } from './redact';

const secretParams = new Set(
  [...secretFields, 'key', 'code', 'signature', 'sig'].map((p) => p.toLowerCase()),
);

/**
 * Replaces the values of credential-like query parameters with `[REDACTED]` so URLs can be logged.
 * Works on the raw request URL (path + query); never throws.
 */
export function sanitizeUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const path = url.slice(0, queryStart);
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName);
      } catch {
        // Malformed escapes: compare the raw name.
      }
      return eq !== -1 && secretParams.has(name.toLowerCase()) ? `${rawName}=[REDACTED]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}
