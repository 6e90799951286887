import { join } from 'node:path';
import { createLocalStorage } from './local';
import { createS3Storage, type S3StorageConfig } from './s3';
import type { ObjectStorage } from './types';

export { createLocalStorage } from './local';
export { createS3Storage, type S3StorageConfig } from './s3';
export { assertValidKey, documentStorageKey, type ObjectStorage, StorageNotFoundError } from './types';

/** `{ kind: 'local', root }` or `{ kind: 's3', ... }` (see {@link storageConfigFromEnv}). */
export type StorageConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3StorageConfig);

export function createObjectStorage(config: StorageConfig): ObjectStorage {
  return config.kind === 's3' ? createS3Storage(config) : createLocalStorage(config.root);
}

export const STORAGE_ENV_VARIABLES = [
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

/**
 * S3 when `S3_BUCKET` is set (with S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
 * S3_FORCE_PATH_STYLE), otherwise files under `${dataDir}/files`. The API and the worker must agree
 * (a worker cannot read the API's local directory unless they share a volume).
 */
export function storageConfigFromEnv(env: Record<string, unknown>, dataDir: string): StorageConfig {
  const value = (name: string) =>
    typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : undefined;
  const bucket = value('S3_BUCKET');
  if (!bucket) return { kind: 'local', root: join(dataDir, 'files') };
  return {
    kind: 's3',
    bucket,
    endpoint: value('S3_ENDPOINT'),
    region: value('S3_REGION'),
    accessKeyId: value('S3_ACCESS_KEY_ID'),
    secretAccessKey: value('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: value('S3_FORCE_PATH_STYLE') === 'true',
  };
}
