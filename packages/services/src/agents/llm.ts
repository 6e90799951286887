import {
  createLazyLlmRouter,
  createSafeHttpClient,
  type EngineServices,
  type HttpClient,
  type LlmRouter,
} from '@agentflow/engine';
import type { ServiceContext } from '../context';
import { createCredentialResolver } from '../integrations';
import { createKnowledgeSearch, createQueryEmbedder } from '../knowledge/search';
import { buildOrgLlmRouter, type EndpointPolicy } from '../models';
import type { Keyring } from '../secrets';

/**
 * What a run needs from the host process: the keyring (model keys, integration credentials), the SSRF
 * allow-list for org model endpoints, and the one for the HTTP node (self-hosters allow-list internal
 * hosts; by default private, loopback and link-local addresses are refused).
 */
export interface RunServicesDeps {
  keyring: Keyring;
  endpointPolicy?: EndpointPolicy | undefined;
  httpPolicy?: EndpointPolicy | undefined;
}
/** @deprecated the name from before runs needed more than a router; same shape. */
export type LlmRouterDeps = RunServicesDeps;

/**
 * The org's LLM router (org + global models, keys opened on first use, fallback order), which always
 * includes the offline echo model.
 */
export async function resolveLlmRouter(ctx: ServiceContext, deps: RunServicesDeps): Promise<LlmRouter> {
  return buildOrgLlmRouter(ctx, deps.keyring, { endpointPolicy: deps.endpointPolicy });
}

/**
 * The one place a run (dry run or queued execution) gets its engine services: the org's router, its
 * stored credentials for the HTTP node's `credential_id`, the SSRF-guarded HTTP client, and search over
 * the org's knowledge bases (the knowledge node and the agents' knowledge tool; another org's base is
 * KNOWLEDGE_BASE_NOT_FOUND).
 */
export async function buildRunServices(
  ctx: ServiceContext,
  deps: RunServicesDeps,
): Promise<Pick<EngineServices, 'llm' | 'http' | 'credentials' | 'knowledge'>> {
  return {
    // Loaded on the first model call: a run without a model node never reads the org's models.
    llm: createLazyLlmRouter(() => resolveLlmRouter(ctx, deps)),
    credentials: createCredentialResolver(ctx, deps.keyring),
    http: httpClientFor(deps.httpPolicy),
    knowledge: createKnowledgeSearch(ctx, {
      embedQuery: createQueryEmbedder(ctx, { keyring: deps.keyring, endpointPolicy: deps.endpointPolicy }),
    }),
  };
}

// One client (and its keep-alive agents) per policy for the process, not one per run.
const httpClients = new Map<string, HttpClient>();
function httpClientFor(policy: EndpointPolicy | undefined): HttpClient {
  // A custom DNS lookup (tests) cannot be keyed by value: give it a client of its own.
  if (policy?.lookup) return createSafeHttpClient(policy);
  const key = JSON.stringify(policy ?? {});
  let client = httpClients.get(key);
  if (!client) {
    client = createSafeHttpClient(policy ?? {});
    httpClients.set(key, client);
  }
  return client;
}
