/**
 * Purposes for the columns the vault knows. A purpose is part of the AAD, so a ciphertext only opens
 * for the purpose (and org) it was sealed for. These include the row id: a ciphertext copied onto
 * another row of the same org (say, onto a model whose endpoint_url points somewhere else) fails to
 * open. Insert the row with an id you generated (`randomUUID()`) so you can seal before inserting.
 *
 * rotateOrgKey and rewrapAll re-seal these columns using exactly these purposes: seal them with
 * anything else and rotation reports the row as failed.
 */
export const secretPurposes = {
  llmModelApiKey: (modelId: string): string => `llm_model.api_key:${modelId.toLowerCase()}`,
  integrationCredentials: (integrationId: string): string =>
    `integration.credentials:${integrationId.toLowerCase()}`,
  webhookSecret: (endpointId: string): string => `webhook_endpoint.secret:${endpointId.toLowerCase()}`,
  webhookPreviousSecret: (endpointId: string): string =>
    `webhook_endpoint.previous_secret:${endpointId.toLowerCase()}`,
};
