/**
 * Where uploaded documents' bytes live, by key (`orgs/<org>/kb/<base>/<document>`). The database keeps
 * only the key (`documents.file_path`). Local directory by default, S3-compatible when configured.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Uint8Array, options?: { contentType?: string | undefined }): Promise<void>;
  /** Throws {@link StorageNotFoundError} when nothing is stored under `key`. */
  get(key: string, signal?: AbortSignal): Promise<Buffer>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
}

export class StorageNotFoundError extends Error {
  override readonly name = 'StorageNotFoundError';
  constructor(readonly key: string) {
    super(`No stored file under ${key}`);
  }
}

/** Keys are `/`-separated segments of letters, digits, `.`, `_`, `-` (no `..`, no leading `/`). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  if (key.length > 1024 || segments.some((s) => !SEGMENT.test(s) || s === '..' || s === '.')) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key.slice(0, 100))}`);
  }
}

/** The storage key of a document's original file. */
export const documentStorageKey = (orgId: string, knowledgeBaseId: string, documentId: string) =>
  `orgs/${orgId}/kb/${knowledgeBaseId}/${documentId}`;
