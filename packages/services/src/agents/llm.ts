import type { LlmRouter } from '@agentflow/engine';
import type { ServiceContext } from '../context';
import { buildOrgLlmRouter, type EndpointPolicy } from '../models';
import type { Keyring } from '../secrets';

/** What the org router needs from the host process (the API passes its keyring and SSRF policy). */
export interface LlmRouterDeps {
  keyring: Keyring;
  endpointPolicy?: EndpointPolicy | undefined;
}

/**
 * The one place a dry run gets its LLM router: the org's (org + global models, keys opened on first
 * use, fallback order), which always includes the offline echo model.
 */
export async function resolveLlmRouter(ctx: ServiceContext, deps: LlmRouterDeps): Promise<LlmRouter> {
  return buildOrgLlmRouter(ctx, deps.keyring, { endpointPolicy: deps.endpointPolicy });
}
