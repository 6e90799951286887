import { AppError, type LlmProviderName, providersRequiringEndpoint } from '@agentflow/contracts';

/** Cross-field rules the zod body cannot express alone (they depend on the stored row on update). */
export function assertEndpointPresent(provider: string, endpointUrl: string | null): void {
  if (!endpointUrl && providersRequiringEndpoint.includes(provider as LlmProviderName)) {
    throw new AppError('VALIDATION_ERROR', `endpoint_url is required for provider ${provider}.`, {
      fields: [{ path: 'body.endpoint_url', message: `required for provider ${provider}`, code: 'required' }],
    });
  }
}

/**
 * Pointing a stored key at another provider or server would let whoever edits the model send the key
 * anywhere (encryption notwithstanding): such a change must carry the key again (or remove it).
 */
export function assertKeyResupplied(
  before: { provider: string; endpointUrl: string | null; hasApiKey: boolean },
  body: {
    provider?: string | undefined;
    endpoint_url?: string | null | undefined;
    api_key?: string | null | undefined;
  },
): void {
  const providerChanged = body.provider !== undefined && body.provider !== before.provider;
  const endpointChanged =
    body.endpoint_url !== undefined && (body.endpoint_url ?? null) !== before.endpointUrl;
  if (!before.hasApiKey || body.api_key !== undefined || !(providerChanged || endpointChanged)) return;
  const what = providerChanged ? 'provider' : 'endpoint_url';
  throw new AppError('VALIDATION_ERROR', `Changing ${what} requires entering api_key again.`, {
    fields: [{ path: 'body.api_key', message: `required when ${what} changes`, code: 'api_key_required' }],
  });
}
