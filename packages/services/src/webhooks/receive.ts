import {
  AppError,
  type ExecutionStatusValue,
  type WebhookAccepted,
  type WebhookCompleted,
  webhookHeaders,
} from '@agentflow/contracts';
import { asSystem, type Db } from '@agentflow/db';
import { webhookEndpoints } from '@agentflow/db/schema';
import { eq } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import type { ExecutionQueue } from '../executions/start';
import { type Keyring, openSecretText, secretPurposes } from '../secrets';
import { startDelivery } from './deliver';
import type { WebhookEndpointRow } from './endpoints';
import {
  assertDeliveryId,
  type HeaderBag,
  headerValue,
  verifySignedWebhook,
  verifyWebhookToken,
} from './verify';
import { type ExecutionEventSubscriber, type ExecutionSnapshot, waitForExecution } from './wait';

export interface ReceiveWebhookDeps {
  db: Db;
  keyring: Keyring;
  queue: ExecutionQueue;
  /** The execution event bus; sync hooks wake on it (and poll the row as a fallback). */
  events?: ExecutionEventSubscriber | undefined;
  /** How long a sync hook waits for its run before answering 202. */
  syncTimeoutMs: number;
  /** Fallback poll of the execution row while a sync hook waits. Default 1000 ms. */
  pollIntervalMs?: number | undefined;
}

/** The parts of the HTTP request a delivery needs. `body` is the raw bytes the signature covers. */
export interface WebhookRequest {
  method: string;
  headers: HeaderBag;
  query: Record<string, unknown>;
  body: Buffer | undefined;
  requestId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** Aborts a sync wait (the caller went away). */
  signal?: AbortSignal | undefined;
}

/**
 * What to answer: a status and body, or an AppError (a sync hook whose run failed). `executionId` is
 * set whenever an execution exists for the delivery (the route echoes it in a header).
 */
export type WebhookReceipt =
  | { executionId: string; duplicate: boolean; statusCode: 202; body: WebhookAccepted }
  | { executionId: string; duplicate: boolean; statusCode: 200; body: WebhookCompleted }
  | { executionId: string; duplicate: boolean; error: AppError };

/** Request headers copied into trigger data. Never credentials (authorization, cookies, the token). */
export const forwardedWebhookHeaders = ['content-type', 'user-agent', webhookHeaders.id] as const;

const hookIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

function notFound(): AppError {
  return new AppError('WEBHOOK_NOT_FOUND', 'No active webhook at this address.');
}

/**
 * Handles one inbound delivery to `/hooks/:hookId`:
 * 1. finds the endpoint by hook id as the system (the org comes from the row, never the request);
 *    unknown or switched off: 404;
 * 2. authenticates it (signed: Standard Webhooks signature within 5 minutes, current secret or the
 *    previous one during its rotation overlap; token: constant-time header compare) before anything
 *    else is read or written;
 * 3. checks the published trigger is a webhook trigger taking this method (405 otherwise);
 * 4. dedupes on webhook-id: a delivery seen before returns the execution it started (`duplicate`),
 *    never a second one; the delivery row lives for the signature window, and the execution's
 *    idempotency key (`webhook:{endpoint}:{sha256(id)}`) keeps even a late retry on the same run;
 * 5. starts the execution (`triggered_by: webhook`, trigger data `{ body, headers, query, method }`);
 * 6. sync hooks wait for the run (bounded by `syncTimeoutMs`) and answer its output or its error.
 */
export async function receiveWebhook(
  deps: ReceiveWebhookDeps,
  hookId: string,
  request: WebhookRequest,
): Promise<WebhookReceipt> {
  if (!hookIdPattern.test(hookId)) throw notFound();
  const endpoint = await asSystem(
    deps.db,
    'webhook delivery: find the endpoint by its hook id',
    async (tx) => {
      const [row] = await tx
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.hookId, hookId))
        .limit(1);
      return row;
    },
  );
  if (!endpoint?.isActive) throw notFound();

  const ctx: ServiceContext = {
    db: deps.db,
    orgId: endpoint.orgId,
    actor: { type: 'system', reason: `webhook ${endpoint.id}` },
    requestId: request.requestId,
    ip: request.ip,
    userAgent: request.userAgent,
  };
  const body = request.body ?? Buffer.alloc(0);
  const secrets = await endpointSecrets(deps, endpoint);
  let deliveryId: string | undefined;
  let deliveryTimestamp: number | undefined;
  if (endpoint.mode === 'signed') {
    const verified = verifySignedWebhook({ headers: request.headers, body, secrets });
    deliveryId = verified.id;
    deliveryTimestamp = verified.timestamp;
  } else {
    verifyWebhookToken({ headers: request.headers, secrets });
    // Optional in token mode: a sender that sends webhook-id still gets replays deduped.
    deliveryId = headerValue(request.headers, webhookHeaders.id);
    if (deliveryId !== undefined) assertDeliveryId(deliveryId);
  }

  const method = request.method.toUpperCase();
  const started = await startDelivery(deps, ctx, endpoint, {
    method,
    deliveryId,
    deliveryTimestamp,
    triggerData: () => ({
      body: parseBody(body, headerValue(request.headers, 'content-type')),
      headers: Object.fromEntries(
        forwardedWebhookHeaders.flatMap((name) => {
          const value = headerValue(request.headers, name);
          return value === undefined ? [] : [[name, value]];
        }),
      ),
      query: request.query,
      method,
    }),
  });
  const trigger = started.trigger;
  const accepted = (status: ExecutionStatusValue): WebhookReceipt => ({
    executionId: started.executionId,
    duplicate: started.duplicate,
    statusCode: 202,
    body: { execution_id: started.executionId, status, duplicate: started.duplicate },
  });
  if (trigger.response_mode !== 'sync') return accepted(started.status);

  const snapshot = await waitForExecution({
    db: deps.db,
    orgId: ctx.orgId,
    executionId: started.executionId,
    timeoutMs: deps.syncTimeoutMs,
    events: deps.events,
    pollIntervalMs: deps.pollIntervalMs,
    signal: request.signal,
  });
  return syncReceipt(snapshot, started.duplicate, accepted);
}

async function endpointSecrets(deps: ReceiveWebhookDeps, endpoint: WebhookEndpointRow): Promise<string[]> {
  const vault = { db: deps.db, orgId: endpoint.orgId, keyring: deps.keyring };
  const secrets = [
    await openSecretText(vault, endpoint.secretEncrypted, {
      purpose: secretPurposes.webhookSecret(endpoint.id),
    }),
  ];
  if (
    endpoint.previousSecretEncrypted &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt.getTime() > Date.now()
  ) {
    secrets.push(
      await openSecretText(vault, endpoint.previousSecretEncrypted, {
        purpose: secretPurposes.webhookPreviousSecret(endpoint.id),
      }),
    );
  }
  return secrets;
}

/** JSON (by content type) parsed, form fields as an object, anything else as text; empty = null. */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError('INVALID_JSON', 'Request body is not valid JSON.');
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const seen = fields[key];
      fields[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return fields;
  }
  return text;
}

/**
 * A sync hook's answer once the wait is over:
 * completed -> 200 with the output; still pending / running / waiting for approval -> 202;
 * failed -> 422 EXECUTION_FAILED (`details.error` = the run's code and message), except a run that hit
 * its own timeout (504 EXECUTION_TIMEOUT) or failed inside the platform (500 INTERNAL_ERROR);
 * cancelled -> 409 EXECUTION_CANCELLED.
 */
function syncReceipt(
  snapshot: ExecutionSnapshot,
  duplicate: boolean,
  accepted: (status: ExecutionStatusValue) => WebhookReceipt,
): WebhookReceipt {
  const executionId = snapshot.id;
  const details = {
    execution_id: executionId,
    status: snapshot.status,
    error: snapshot.errorCode ? { code: snapshot.errorCode, message: snapshot.errorMessage ?? '' } : null,
  };
  switch (snapshot.status) {
    case 'completed':
      return {
        executionId,
        duplicate,
        statusCode: 200,
        body: { execution_id: executionId, status: 'completed', output: snapshot.output ?? null, duplicate },
      };
    case 'cancelled':
      return {
        executionId,
        duplicate,
        error: new AppError('EXECUTION_CANCELLED', 'The execution was cancelled.', details),
      };
    case 'timed_out':
      return {
        executionId,
        duplicate,
        error: new AppError('EXECUTION_TIMEOUT', 'The execution exceeded its timeout.', details),
      };
    case 'failed': {
      if (snapshot.errorCode === 'EXECUTION_TIMEOUT') {
        return {
          executionId,
          duplicate,
          error: new AppError(
            'EXECUTION_TIMEOUT',
            snapshot.errorMessage ?? 'The execution timed out.',
            details,
          ),
        };
      }
      if (snapshot.errorCode === 'INTERNAL_ERROR') {
        return {
          executionId,
          duplicate,
          error: new AppError('INTERNAL_ERROR', 'The execution failed with an internal error.', details),
        };
      }
      return {
        executionId,
        duplicate,
        error: new AppError('EXECUTION_FAILED', snapshot.errorMessage ?? 'The execution failed.', details),
      };
    }
    default:
      return accepted(snapshot.status);
  }
}
