export {
  deleteOrgSsoConfig,
  findSsoOrgBySlug,
  getOrgSsoConfig,
  loadSsoConfig,
  type OrgSsoConfig,
  parseSsoSettings,
  putOrgSsoConfig,
  SSO_SETTINGS_KEY,
} from './config';
export { beginSsoLogin, completeSsoLogin, type SsoCallbackInput, type SsoDeps } from './flow';
export { type ProvisionedUser, provisionSsoUser, WORKOS_PROVIDER } from './provision';
export {
  createSsoStateSigner,
  SSO_STATE_TTL_SECONDS,
  type SsoStateSigner,
  type SsoStateStart,
} from './state';
export { emailVerifiedByIdp, type SsoIdentity, type WorkosSettings, WorkosSso } from './workos';
