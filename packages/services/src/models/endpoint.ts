import { AppError } from '@agentflow/contracts';
import { createSsrfGuard, SsrfError, type SsrfPolicy } from '@agentflow/engine';

/**
 * SSRF policy for model endpoints. An org model's `endpoint_url` is chosen by an org admin, a tenant,
 * not the operator: without a check, "test connection" (and every run) would let them make this server
 * call its own network (cloud metadata at 169.254.169.254, internal services) and read the error text.
 * So org endpoints go through the engine's guard (the HTTP node's policy: private, loopback,
 * link-local, CGNAT ... refused) unless the operator allow-listed the host or range
 * (LLM_ENDPOINT_ALLOW_HOSTS / _CIDRS, e.g. an Ollama box on the LAN). Global models are configured by
 * instance admins, who already control the server, so their endpoints are trusted.
 */
export type EndpointPolicy = SsrfPolicy;

/** The base URL a provider will call when the model sets none (null: the vendor's public API). */
export function effectiveEndpoint(provider: string, endpointUrl: string | null): string | null {
  if (endpointUrl) return endpointUrl;
  // Ollama's default listens on the server itself: exactly what the guard must see.
  if (provider === 'ollama') return 'http://127.0.0.1:11434/v1';
  return null;
}

/**
 * Refuses an org model endpoint that resolves to a blocked address (422 on `body.endpoint_url`).
 * DNS failures pass: a host that does not resolve yet is not an SSRF, and every call checks again.
 */
export async function assertEndpointAllowed(
  provider: string,
  endpointUrl: string | null,
  policy: EndpointPolicy,
): Promise<void> {
  const url = effectiveEndpoint(provider, endpointUrl);
  if (!url) return;
  try {
    await createSsrfGuard(policy).check(new URL(url));
  } catch (error) {
    if (!(error instanceof SsrfError)) return;
    throw new AppError('VALIDATION_ERROR', `endpoint_url is not allowed: ${error.message}`, {
      fields: [{ path: 'body.endpoint_url', message: error.message, code: 'endpoint_not_allowed' }],
    });
  }
}

/**
 * A fetch that checks every request's URL with the guard first (redirects are not followed by the SDKs
 * for API calls). The SDK's own connection resolves the name again, so a DNS answer changing between
 * the check and the connect (rebinding) is not covered: pinning the address needs an undici dispatcher.
 */
export function guardedFetch(policy: EndpointPolicy, base: typeof fetch = fetch): typeof fetch {
  const guard = createSsrfGuard(policy);
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    await guard.check(new URL(url));
    return base(input, init);
  };
}
