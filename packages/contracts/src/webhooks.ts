import { z } from 'zod';
import { executionStatusSchema } from './executions';

/**
 * Webhook triggers (issue 5 item 8): every agent whose published version starts with a
 * `trigger.webhook` node gets `POST /api/v1/hooks/:hookId` with its own secret. Wire format is
 * snake_case. The secret itself only leaves the API through the reveal and rotate endpoints.
 */

const timestamp = z.iso.datetime();
const uuid = z.uuid();

export const webhookModeValues = ['signed', 'token'] as const;
export const webhookModeSchema = z
  .enum(webhookModeValues)
  .describe(
    '`signed`: Standard Webhooks HMAC signature headers (webhook-id, webhook-timestamp, webhook-signature); ' +
      '`token`: the secret itself in the X-AgentFlow-Webhook-Token header',
  );
export type WebhookMode = z.infer<typeof webhookModeSchema>;

/** Standard Webhooks headers (https://www.standardwebhooks.com), lower-case as Node delivers them. */
export const webhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  /** Token mode: the secret, compared in constant time. */
  token: 'x-agentflow-webhook-token',
} as const;

/** A signed delivery's timestamp may differ from the server clock by at most this much, either way. */
export const webhookToleranceSeconds = 5 * 60;
/** Prefix of every webhook secret (Standard Webhooks: `whsec_` + base64 of the key bytes). */
export const webhookSecretPrefix = 'whsec_';
/** Path of a hook, relative to the API origin. */
export const webhookPath = (hookId: string) => `/api/v1/hooks/${hookId}`;

/** Rotation overlap: how long the previous secret keeps verifying after a rotation. */
export const webhookRotationDefaultOverlapSeconds = 24 * 3600;
export const webhookRotationMaxOverlapSeconds = 7 * 24 * 3600;

export const webhookEndpointSchema = z
  .object({
    id: uuid,
    agent_id: uuid,
    hook_id: z.string().describe('The public path segment of the hook'),
    path: z.string().describe('Where senders deliver: POST (or the trigger’s method) to this path'),
    mode: webhookModeSchema,
    is_active: z.boolean().describe('false: deliveries get 404 WEBHOOK_NOT_FOUND'),
    method: z
      .enum(['POST', 'GET', 'PUT'])
      .nullable()
      .describe('From the published trigger config; null when the published version has no webhook trigger'),
    response_mode: z
      .enum(['async', 'sync'])
      .nullable()
      .describe('From the published trigger config; null when the published version has no webhook trigger'),
    secret_hint: z.string().describe('e.g. `whsec_…a1b2`; reveal the secret with POST .../webhook/secret'),
    previous_secret_expires_at: timestamp
      .nullable()
      .describe('Until then the secret before the last rotation still verifies'),
    last_triggered_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const updateWebhookBodySchema = z
  .object({
    mode: webhookModeSchema.optional(),
    is_active: z.boolean().optional(),
  })
  .refine((body) => body.mode !== undefined || body.is_active !== undefined, {
    error: 'Send mode and/or is_active',
  });
export type UpdateWebhookBody = z.infer<typeof updateWebhookBodySchema>;

export const rotateWebhookSecretBodySchema = z.object({
  overlap_seconds: z
    .number()
    .int()
    .min(0)
    .max(webhookRotationMaxOverlapSeconds)
    .default(webhookRotationDefaultOverlapSeconds)
    .describe('How long the current secret keeps verifying (default 24 h, max 7 days; 0 = at once)'),
});
export type RotateWebhookSecretBody = z.infer<typeof rotateWebhookSecretBodySchema>;

export const webhookSecretSchema = z
  .object({
    secret: z.string().describe('`whsec_` + base64 key: the HMAC key (signed) or the token (token)'),
  })
  .meta({ id: 'WebhookSecret' });
export type WebhookSecret = z.infer<typeof webhookSecretSchema>;

/** Rotation answers the new secret once, with the endpoint as it is now. */
export const rotatedWebhookSchema = webhookEndpointSchema
  .extend({ secret: z.string() })
  .meta({ id: 'RotatedWebhook' });
export type RotatedWebhook = z.infer<typeof rotatedWebhookSchema>;

export const webhookHookParamsSchema = z.object({ hookId: z.string() });

/**
 * 202 for an async hook, a sync hook whose run is still going after the wait, or one that paused for
 * approval: poll GET /executions/:id (authenticated) for the rest.
 */
export const webhookAcceptedSchema = z
  .object({
    execution_id: uuid,
    status: executionStatusSchema,
    duplicate: z
      .boolean()
      .describe('true: this webhook-id was delivered before; no new execution was started'),
  })
  .meta({ id: 'WebhookAccepted' });
export type WebhookAccepted = z.infer<typeof webhookAcceptedSchema>;

/** 200 for a sync hook whose run completed within the wait: the output node's result. */
export const webhookCompletedSchema = z
  .object({
    execution_id: uuid,
    status: z.literal('completed'),
    output: z.unknown(),
    duplicate: z.boolean(),
  })
  .meta({ id: 'WebhookCompleted' });
export type WebhookCompleted = z.infer<typeof webhookCompletedSchema>;
