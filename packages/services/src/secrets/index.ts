export { envelopeKeyVersion, type SecretValue } from './envelope';
export { MasterKeyConfigError, SecretDecryptionError, type SecretDecryptionReason } from './errors';
export { openGlobalSecret, sealGlobalSecret } from './global';
export {
  createKeyring,
  DEV_MASTER_KEY_ID,
  Keyring,
  type KeyringOptions,
  type MasterKey,
  type MasterKeysEnv,
  parseMasterKeys,
  validateMasterKeysEnv,
} from './keyring';
export { maskSecret } from './mask';
export { secretPurposes } from './purposes';
export { type RewrapResult, rewrapAll } from './rewrap';
export { type OrgRotationResult, type RotationFailure, rotateAllOrgKeys, rotateOrgKey } from './rotation';
export {
  openSecret,
  openSecretObject,
  openSecretText,
  type SecretOptions,
  type SecretsContext,
  sealSecret,
} from './vault';
