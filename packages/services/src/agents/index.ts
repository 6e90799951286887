export {
  archiveAgent,
  cloneAgent,
  createAgent,
  getAgent,
  listAgents,
  setAgentStatus,
  updateAgent,
} from './agents';
export { diffDefinitions } from './diff';
export { type DryRunOptions, maxDryRunSeconds, testAgent } from './dry-run';
export { buildRunServices, type LlmRouterDeps, type RunServicesDeps, resolveLlmRouter } from './llm';
export { getAgentRow } from './present';
export { publishAgent, rollbackAgent, validOrThrow } from './publish';
export { blankDefinition, starterDefinition } from './templates';
export { diffAgentVersions, getAgentVersion, listAgentVersions } from './versions';
