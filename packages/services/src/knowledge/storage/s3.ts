import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertValidKey, type ObjectStorage, StorageNotFoundError } from './types';

export interface S3StorageConfig {
  bucket: string;
  /** S3-compatible server (MinIO, R2 ...); absent = AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `bucket` in the path instead of the host name (MinIO and most self-hosted servers need it). */
  forcePathStyle?: boolean | undefined;
  /** Prefix of every key (e.g. `agentflow/`). */
  prefix?: string | undefined;
}

/** S3 (or compatible) through @aws-sdk/client-s3. Credentials: given, else the SDK's default chain. */
export function createS3Storage(config: S3StorageConfig): ObjectStorage {
  const client = new S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? false,
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : {}),
    // S3-compatible servers do not all implement the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  const prefix = config.prefix ?? '';
  const keyOf = (key: string) => {
    assertValidKey(key);
    return prefix + key;
  };
  return {
    kind: 's3',
    async put(key, body, options) {
      await client.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: keyOf(key),
          Body: body,
          ...(options?.contentType ? { ContentType: options.contentType } : {}),
        }),
      );
    },
    async get(key, signal) {
      try {
        const response = await client.send(
          new GetObjectCommand({ Bucket: config.bucket, Key: keyOf(key) }),
          signal ? { abortSignal: signal } : {},
        );
        if (!response.Body) throw new StorageNotFoundError(key);
        return Buffer.from(await response.Body.transformToByteArray());
      } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) {
          throw new StorageNotFoundError(key);
        }
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: keyOf(key) }));
    },
  };
}
