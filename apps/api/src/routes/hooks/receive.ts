import {
  isAppError,
  webhookAcceptedSchema,
  webhookCompletedSchema,
  webhookHookParamsSchema,
} from '@agentflow/contracts';
import { type ExecutionQueue, receiveWebhook, type WebhookReceipt } from '@agentflow/services';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export interface HookRoutesOptions {
  queue: ExecutionQueue;
  /** How long a sync hook waits for its run before answering 202 (WEBHOOK_SYNC_TIMEOUT_MS). */
  syncTimeoutMs: number;
  /** Largest accepted body (WEBHOOK_MAX_BODY_BYTES); larger is 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes: number;
}

/** Echoed on every answer that has an execution (also the sync error answers). */
export const EXECUTION_ID_HEADER = 'x-agentflow-execution-id';

/**
 * The public ingress `/api/v1/hooks/:hookId` (no credentials: the signature or token is the proof).
 * Registered in its own encapsulated plugin because it needs the raw body: the signature covers the
 * exact bytes, so this scope replaces the app's JSON parser with one that keeps any content type as a
 * Buffer (bounded by WEBHOOK_MAX_BODY_BYTES). Other routes keep the app's JSON-only parsing.
 */
export const hookReceiveRoutes: FastifyPluginAsyncZod<HookRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );

  app.route({
    method: ['POST', 'PUT', 'GET'],
    url: '/hooks/:hookId',
    bodyLimit: options.maxBodyBytes,
    exposeHeadRoute: false,
    config: { public: true },
    schema: {
      tags: ['webhooks'],
      summary: 'Deliver a webhook: starts a run of the agent behind the hook',
      description:
        'Public; authenticated by the hook’s secret. Signed mode (Standard Webhooks): `webhook-id`, ' +
        '`webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature: v1,<base64 ' +
        'HMAC-SHA256 of "<id>.<timestamp>.<raw body>">` keyed with the base64-decoded secret after ' +
        '`whsec_`. Token mode: `X-AgentFlow-Webhook-Token: <secret>`. Any content type; JSON is parsed ' +
        'into `trigger.data.body`, form fields become an object, anything else is text. A repeated ' +
        '`webhook-id` returns the first delivery’s execution with `duplicate: true`. Async hooks answer ' +
        '202; sync hooks answer 200 with the output once the run completes, its error (422 ' +
        'EXECUTION_FAILED, 504 EXECUTION_TIMEOUT, 409 EXECUTION_CANCELLED, 500) if it fails, or 202 ' +
        'when it is still running after WEBHOOK_SYNC_TIMEOUT_MS. The method must be the trigger’s ' +
        '(405 otherwise).',
      params: webhookHookParamsSchema,
      response: { 200: webhookCompletedSchema, 202: webhookAcceptedSchema },
    },
    handler: async (request, reply) => {
      let receipt: WebhookReceipt;
      try {
        receipt = await receiveWebhook(
          {
            db: app.authDeps.db,
            keyring: app.keyring,
            queue: options.queue,
            events: app.eventBus,
            syncTimeoutMs: options.syncTimeoutMs,
          },
          request.params.hookId,
          {
            method: request.method,
            headers: request.headers,
            query: (request.query ?? {}) as Record<string, unknown>,
            body: Buffer.isBuffer(request.body) ? request.body : undefined,
            requestId: request.id,
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          },
        );
      } catch (error) {
        if (isAppError(error) && error.code === 'METHOD_NOT_ALLOWED') {
          reply.header('allow', String((error.details.allow as string[] | undefined)?.join(', ') ?? ''));
        }
        throw error;
      }
      reply.header(EXECUTION_ID_HEADER, receipt.executionId);
      if ('error' in receipt) throw receipt.error;
      return reply.code(receipt.statusCode).send(receipt.body);
    },
  });
};
