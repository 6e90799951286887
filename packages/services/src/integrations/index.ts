export { headersFor, integrationCatalog, type ResolvedCredential } from './catalog';
export {
  createCredentialResolver,
  createIntegration,
  deleteIntegration,
  listIntegrations,
  resolveCredential,
} from './integrations';
