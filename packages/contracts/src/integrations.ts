import { z } from 'zod';

/**
 * Integration credentials (seed 004 "Integration Endpoints"): stored, sealed secrets an org's agents
 * use (the HTTP node's auth, provider keys). OAuth connect flows are not implemented yet: every
 * provider here takes its credentials directly. Credentials go in once and never come out: responses
 * carry a masked `credentials_hint`.
 */

const secret = z.string().min(1).max(8192);

/** Credentials per provider; `.strict()` so a typo is a 422 rather than a silently ignored field. */
export const integrationCredentialSchemas = {
  http_bearer: z.object({ token: secret }).strict(),
  http_basic: z.object({ username: z.string().min(1).max(500), password: secret }).strict(),
  http_header: z
    .object({
      // An RFC 9110 token: anything else could not be sent as a header name.
      header_name: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'must be a valid HTTP header name' }),
      value: secret,
    })
    .strict(),
  openai: z.object({ api_key: secret, organization: z.string().min(1).max(200).optional() }).strict(),
  anthropic: z.object({ api_key: secret }).strict(),
} as const;

export type IntegrationProvider = keyof typeof integrationCredentialSchemas;
export const integrationProviders = Object.keys(integrationCredentialSchemas) as IntegrationProvider[];
export const integrationProviderSchema = z.enum(
  integrationProviders as [IntegrationProvider, ...IntegrationProvider[]],
);
export type IntegrationCredentials = {
  [P in IntegrationProvider]: z.infer<(typeof integrationCredentialSchemas)[P]>;
};

const nameSchema = z.string().trim().min(1).max(255);

export const createIntegrationBodySchema = z.discriminatedUnion('provider', [
  z
    .object({
      provider: z.literal('http_bearer'),
      name: nameSchema,
      credentials: integrationCredentialSchemas.http_bearer,
    })
    .strict(),
  z
    .object({
      provider: z.literal('http_basic'),
      name: nameSchema,
      credentials: integrationCredentialSchemas.http_basic,
    })
    .strict(),
  z
    .object({
      provider: z.literal('http_header'),
      name: nameSchema,
      credentials: integrationCredentialSchemas.http_header,
    })
    .strict(),
  z
    .object({
      provider: z.literal('openai'),
      name: nameSchema,
      credentials: integrationCredentialSchemas.openai,
    })
    .strict(),
  z
    .object({
      provider: z.literal('anthropic'),
      name: nameSchema,
      credentials: integrationCredentialSchemas.anthropic,
    })
    .strict(),
]);
export type CreateIntegrationBody = z.infer<typeof createIntegrationBodySchema>;

export const integrationSchema = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    name: z.string().nullable(),
    status: z.string(),
    /** e.g. `…a1b2` for the credential's secret field; never the secret. */
    credentials_hint: z.string().nullable(),
    connected_by: z.uuid().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Integration' });
export type Integration = z.infer<typeof integrationSchema>;

export const integrationParamsSchema = z.object({ id: z.uuid() });

export const availableIntegrationSchema = z
  .object({
    provider: integrationProviderSchema,
    name: z.string(),
    description: z.string(),
    /** How it connects: `credentials` (entered once); OAuth providers are not offered yet. */
    auth_type: z.literal('credentials'),
    fields: z.array(
      z.object({ name: z.string(), label: z.string(), secret: z.boolean(), required: z.boolean() }),
    ),
  })
  .meta({ id: 'AvailableIntegration' });
export type AvailableIntegration = z.infer<typeof availableIntegrationSchema>;
