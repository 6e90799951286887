export { createApiKey, listApiKeys, revokeApiKey } from './api-keys';
export { API_KEY_PREFIX, apiKeyDisplayPrefix, hashApiKey, newApiKeySecret } from './secret';
