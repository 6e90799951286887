import type { UploadedKnowledgeDocument } from '@agentflow/contracts';
import { AgentFlowError } from '@agentflow/sdk';
import { formatBytes } from './format';

export type UploadStatus = 'waiting' | 'uploading' | 'added' | 'duplicate' | 'failed';

/** One chosen file's way into the base, as the upload list shows it. */
export interface UploadItem {
  key: string;
  name: string;
  size: number;
  status: UploadStatus;
  error?: string;
}

export interface UploadFileLike {
  name: string;
  size: number;
}

let counter = 0;
/** Rows for newly chosen files (keys unique across selections, so a re-chosen file gets a new row). */
export function queueItems(files: readonly UploadFileLike[]): UploadItem[] {
  return files.map((f) => ({ key: `upload-${++counter}`, name: f.name, size: f.size, status: 'waiting' }));
}

/** The per-file limit the API reported in a 413 (`details.max_bytes`), if that is what `err` is. */
export function reportedLimit(err: unknown): number | undefined {
  if (!(err instanceof AgentFlowError) || err.code !== 'PAYLOAD_TOO_LARGE') return undefined;
  const max = err.details.max_bytes;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

/**
 * Uploads files one request each, `concurrency` at a time, reporting every row's progress through
 * `update`. A failure (too large, network, ...) fails that file only. Once the API has named its
 * per-file limit, files still waiting that exceed it fail at once instead of being sent in vain.
 */
export async function runUploads<F extends UploadFileLike>(
  files: readonly F[],
  items: readonly UploadItem[],
  deps: {
    upload(file: F): Promise<UploadedKnowledgeDocument | undefined>;
    update(key: string, patch: Partial<UploadItem>): void;
    describeError(err: unknown): string;
    concurrency?: number;
  },
): Promise<void> {
  let next = 0;
  let limit: number | undefined;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i] as F;
      const { key } = items[i] as UploadItem;
      if (limit !== undefined && file.size > limit) {
        deps.update(key, {
          status: 'failed',
          error: `File "${file.name}" is larger than the ${formatBytes(limit)} limit per file.`,
        });
        continue;
      }
      deps.update(key, { status: 'uploading' });
      try {
        const doc = await deps.upload(file);
        deps.update(key, { status: doc?.duplicate ? 'duplicate' : 'added' });
      } catch (err) {
        limit = reportedLimit(err) ?? limit;
        deps.update(key, { status: 'failed', error: deps.describeError(err) });
      }
    }
  };
  const workers = Math.max(1, Math.min(deps.concurrency ?? 2, files.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
