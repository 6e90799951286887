import { z } from 'zod';
import { paginationQuerySchema } from './pagination';

/**
 * LLM model registry (seed 000 §I.4, issue 4 item 7): the org's own models plus global models an
 * instance admin defines for every org. Wire format is snake_case. The API key goes in (create,
 * update) but never comes out: responses carry `has_api_key` and a masked `api_key_hint` only.
 */

const timestamp = z.iso.datetime();

export const llmProviders = [
  'openai',
  'anthropic',
  'azure_openai',
  'ollama',
  'openai_compatible',
  'echo',
] as const;
export const llmProviderSchema = z.enum(llmProviders);
export type LlmProviderName = z.infer<typeof llmProviderSchema>;

/** Providers that cannot work without an endpoint URL of their own. */
export const providersRequiringEndpoint: readonly LlmProviderName[] = ['azure_openai', 'openai_compatible'];

export const modelScopeSchema = z.enum(['org', 'global']);
export type ModelScope = z.infer<typeof modelScopeSchema>;

/** http(s) only, no credentials in the URL (they would be stored in plain text and returned). */
export const endpointUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL without credentials, e.g. https://my-resource.openai.azure.com' },
  );

/** Known generation params are typed; anything else is kept as a plain JSON scalar for the provider. */
export const modelParamsSchema = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(1_000_000).optional(),
    top_p: z.number().min(0).max(1).optional(),
    /** Azure OpenAI `api-version` (default 2024-10-21). */
    api_version: z.string().min(1).max(50).optional(),
  })
  .catchall(z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]));
export type ModelParams = z.infer<typeof modelParamsSchema>;

const nameSchema = z.string().trim().min(1).max(255);
const modelIdentifierSchema = z.string().trim().min(1).max(255);
// An API key is opaque; the bounds only keep absurd input out.
const apiKeySchema = z.string().trim().min(1).max(4096);

export const createModelBodySchema = z
  .object({
    name: nameSchema,
    provider: llmProviderSchema,
    model_identifier: modelIdentifierSchema,
    api_key: apiKeySchema.optional(),
    endpoint_url: endpointUrlSchema.optional(),
    params: modelParamsSchema.optional(),
    is_active: z.boolean().optional(),
    /** `global` (offered to every org) needs an instance admin. Default `org`. */
    scope: modelScopeSchema.default('org'),
  })
  .strict();
export type CreateModelBody = z.infer<typeof createModelBodySchema>;

/**
 * Every field optional. `api_key: null` removes the key. Changing `provider` or `endpoint_url` needs
 * `api_key` in the same request: otherwise the stored key could be sent to a server of the caller's
 * choice (422 naming `api_key`).
 */
export const updateModelBodySchema = z
  .object({
    name: nameSchema.optional(),
    provider: llmProviderSchema.optional(),
    model_identifier: modelIdentifierSchema.optional(),
    api_key: apiKeySchema.nullable().optional(),
    endpoint_url: endpointUrlSchema.nullable().optional(),
    params: modelParamsSchema.optional(),
    is_active: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'provide at least one field to change' });
export type UpdateModelBody = z.infer<typeof updateModelBodySchema>;

export const modelSchema = z
  .object({
    id: z.uuid(),
    scope: modelScopeSchema,
    name: z.string(),
    provider: z.string(),
    model_identifier: z.string(),
    endpoint_url: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    is_active: z.boolean(),
    has_api_key: z.boolean(),
    /** e.g. `sk-…a1b2`; never the key itself. */
    api_key_hint: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'LlmModel' });
export type Model = z.infer<typeof modelSchema>;

export const modelListQuerySchema = paginationQuerySchema.extend({ scope: modelScopeSchema.optional() });
export type ModelListQuery = z.infer<typeof modelListQuerySchema>;

export const modelParamsPathSchema = z.object({ id: z.uuid() });

export const modelTestResultSchema = z
  .object({
    ok: z.boolean(),
    latency_ms: z.number().int().min(0),
    /** Why the call failed, with any key removed. */
    error: z.string().optional(),
  })
  .meta({ id: 'LlmModelTestResult' });
export type ModelTestResult = z.infer<typeof modelTestResultSchema>;
