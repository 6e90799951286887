import type { AvailableIntegration, IntegrationCredentials, IntegrationProvider } from '@agentflow/contracts';

const field = (name: string, label: string, secret: boolean, required = true) => ({
  name,
  label,
  secret,
  required,
});

/**
 * The providers an org can store credentials for (`GET /integrations/available`). Static: every entry
 * takes its credentials directly; OAuth connect flows (`POST /integrations/:provider/connect` in seed
 * 004) are not implemented yet.
 */
export const integrationCatalog: AvailableIntegration[] = [
  {
    provider: 'http_bearer',
    name: 'HTTP bearer token',
    description: 'Sends `Authorization: Bearer <token>` from the HTTP request node.',
    auth_type: 'credentials',
    fields: [field('token', 'Token', true)],
  },
  {
    provider: 'http_basic',
    name: 'HTTP basic auth',
    description: 'Sends `Authorization: Basic <username:password>` from the HTTP request node.',
    auth_type: 'credentials',
    fields: [field('username', 'Username', false), field('password', 'Password', true)],
  },
  {
    provider: 'http_header',
    name: 'HTTP header',
    description: 'Sends one custom header (e.g. `X-API-Key`) from the HTTP request node.',
    auth_type: 'credentials',
    fields: [field('header_name', 'Header name', false), field('value', 'Value', true)],
  },
  {
    provider: 'openai',
    name: 'OpenAI',
    description: 'An OpenAI API key, sent as a bearer token (HTTP node calls to api.openai.com).',
    auth_type: 'credentials',
    fields: [field('api_key', 'API key', true), field('organization', 'Organization id', false, false)],
  },
  {
    provider: 'anthropic',
    name: 'Anthropic',
    description: 'An Anthropic API key, sent as `x-api-key` (HTTP node calls to api.anthropic.com).',
    auth_type: 'credentials',
    fields: [field('api_key', 'API key', true)],
  },
];

/** The field whose masked form is the list's hint: the one that is the secret. */
export function secretOf(credentials: IntegrationCredentials[IntegrationProvider]): string {
  const c = credentials as Record<string, string | undefined>;
  return c.token ?? c.password ?? c.value ?? c.api_key ?? '';
}

/** How a credential is sent over HTTP (the engine's CredentialResolver seam). */
export function headersFor(resolved: ResolvedCredential): Record<string, string> {
  switch (resolved.provider) {
    case 'http_bearer':
      return { authorization: `Bearer ${resolved.credentials.token}` };
    case 'http_basic': {
      const { username, password } = resolved.credentials;
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    }
    case 'http_header':
      return { [resolved.credentials.header_name.toLowerCase()]: resolved.credentials.value };
    case 'openai':
      return {
        authorization: `Bearer ${resolved.credentials.api_key}`,
        ...(resolved.credentials.organization
          ? { 'openai-organization': resolved.credentials.organization }
          : {}),
      };
    case 'anthropic':
      return { 'x-api-key': resolved.credentials.api_key };
  }
}

/** A decrypted credential: hold it in a local for one call, never log or return it. */
export type ResolvedCredential = {
  [P in IntegrationProvider]: {
    id: string;
    provider: P;
    name: string | null;
    credentials: IntegrationCredentials[P];
  };
}[IntegrationProvider];
