export { assertEndpointAllowed, type EndpointPolicy, effectiveEndpoint } from './endpoint';
export {
  createModel,
  deleteModel,
  getModel,
  listModels,
  type ModelWriteOptions,
  updateModel,
} from './models';
export { buildOrgLlmRouter, FALLBACK_ORDER_SETTING, type OrgRouterOptions } from './router';
export { type TestConnectionOptions, testModelConnection } from './test-connection';
