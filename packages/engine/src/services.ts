import type { EngineServices } from './handlers/types';
import { createSafeHttpClient } from './http/client';
import { createEchoProvider } from './llm/echo';
import { createLlmRouter } from './llm/router';
import { sleep } from './sleep';

/**
 * Services for a run. Without an `llm`, the router has only the offline echo model (the "try it
 * without an API key" path); the executions layer passes the org's router with its real providers,
 * and then echo is only used where a node names it explicitly.
 */
export function createServices(overrides: Partial<EngineServices> = {}): EngineServices {
  return {
    llm: overrides.llm ?? createLlmRouter({ providers: [createEchoProvider()] }),
    http: overrides.http ?? createSafeHttpClient(),
    sleep: overrides.sleep ?? sleep,
    now: overrides.now ?? Date.now,
    ...(overrides.credentials ? { credentials: overrides.credentials } : {}),
    ...(overrides.knowledge ? { knowledge: overrides.knowledge } : {}),
  };
}
