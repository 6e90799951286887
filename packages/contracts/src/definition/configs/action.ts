import { z } from 'zod';
import { nodeSettingsShape } from '../common';

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * An HTTP call (SSRF-protected in the engine). `url`, header values and `body` are templates; an
 * object `body` is sent as JSON. `credential_id` adds auth from a stored credential at run time, so
 * the secret never appears in the step's recorded input.
 */
export const httpRequestConfigSchema = z.object({
  ...nodeSettingsShape,
  method: z.enum(httpMethods).default('GET'),
  url: z.string().min(1).max(4096),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.string()).default({}),
  body: z.unknown().optional(),
  credential_id: z.string().min(1).max(100).optional(),
  timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
  response_type: z.enum(['auto', 'json', 'text']).default('auto'),
  /** Non-2xx responses fail the step (429 and 5xx are retried) unless this is false. */
  fail_on_status: z.boolean().default(true),
  follow_redirects: z.boolean().default(true),
});

/**
 * Search knowledge bases of the run's org (issue 7): `query` is a template; the output is
 * `{ results: [{ text, score, document_name, chunk_index, ... }], context }` (`context`: the texts joined,
 * numbered, for a prompt). Base ids are checked for format here and for existence (same org) at run time.
 */
export const knowledgeSearchConfigSchema = z.object({
  ...nodeSettingsShape,
  knowledge_base_ids: z
    .array(z.uuid({ error: 'must be a knowledge base id (uuid)' }))
    .min(1)
    .max(20),
  query: z.string().min(1).max(10_000),
  top_k: z.number().int().min(1).max(50).default(5),
  mode: z.enum(['vector', 'keyword', 'hybrid']).default('hybrid'),
  min_score: z.number().min(0).max(1).optional(),
});
