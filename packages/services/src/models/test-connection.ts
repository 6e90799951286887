import type { ModelTestResult } from '@agentflow/contracts';
import { createSsrfGuard, type SdkLogger, SsrfError } from '@agentflow/engine';
import { inOrg, type ServiceContext } from '../context';
import type { Keyring } from '../secrets';
import { type EndpointPolicy, effectiveEndpoint, guardedFetch } from './endpoint';
import { openModelKey } from './keys';
import { providerForModel } from './providers';
import { getVisibleModel } from './rows';

export interface TestConnectionOptions {
  endpointPolicy?: EndpointPolicy | undefined;
  logger?: SdkLogger | undefined;
  /** Bound on the provider call (default 15 s): a hung endpoint must not hold the request. */
  timeoutMs?: number | undefined;
}

/**
 * "Test connection": one tiny chat through the same engine provider a run would use. Never throws for
 * a provider failure: `{ ok: false, error }`, where the message has the key removed (the engine already
 * redacts; the split below is a second, local guarantee, since some servers echo the key they got).
 */
export async function testModelConnection(
  ctx: ServiceContext,
  keyring: Keyring,
  id: string,
  options: TestConnectionOptions = {},
): Promise<ModelTestResult> {
  const row = await inOrg(ctx, (tx) => getVisibleModel(tx, ctx, id));
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const policy = row.orgId !== null ? (options.endpointPolicy ?? {}) : undefined;
  const endpoint = effectiveEndpoint(row.provider, row.endpointUrl);
  if (policy && endpoint) {
    try {
      await createSsrfGuard(policy).check(new URL(endpoint));
    } catch (error) {
      if (error instanceof SsrfError) return { ok: false, latency_ms: elapsed(), error: error.message };
    }
  }
  const apiKey = await openModelKey(ctx.db, keyring, row);
  const provider = providerForModel(row, apiKey, {
    name: row.provider,
    fetch: policy ? guardedFetch(policy) : undefined,
    logger: options.logger,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  try {
    await provider.chat({
      model: row.modelIdentifier,
      messages: [{ role: 'user', content: 'ping' }],
      max_tokens: 1,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    return { ok: true, latency_ms: elapsed() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, latency_ms: elapsed(), error: redactKey(message, apiKey) };
  }
}

function redactKey(message: string, apiKey: string | null): string {
  return apiKey && apiKey.length >= 4 ? message.split(apiKey).join('[redacted]') : message;
}
