import type { EndpointPolicy } from '@agentflow/services';

export interface AgentRoutesOptions {
  /** SSRF allow-list for org model endpoints, used by runs' LLM router. */
  endpointPolicy?: EndpointPolicy | undefined;
  /** SSRF allow-list for the HTTP node. */
  httpPolicy?: EndpointPolicy | undefined;
}
