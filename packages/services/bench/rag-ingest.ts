/**
 * bench:rag's product-path ingestion: text documents stored the way an upload stores them, then
 * ingested by `ingestDocument` (the ingestion worker's job body: load -> parse -> split -> local
 * embedder -> chunk inserts into the indexed table -> `ready`), `concurrency` documents at a time as
 * the worker's queue runs them (WORKER_CONCURRENCY, default 4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, rowsOf } from '@agentflow/db';
import { sql } from 'drizzle-orm';
import { ingestDocument } from '../src/knowledge/ingest';
import { createLocalStorage, documentStorageKey } from '../src/knowledge/storage';

export interface PipelineTarget {
  orgId: string;
  kbId: string;
}

export interface PipelineRun {
  documents: number;
  chunks: number;
  seconds: number;
  concurrency: number;
}

/**
 * Ingests `texts` (one document each) into the base through the pipeline and times it from the first
 * job's start to the last one's end; document rows and stored files are created before the clock
 * starts (the upload request's part). Throws if a document does not end `ready`.
 */
export async function ingestThroughPipeline(
  owner: Db,
  app: Db,
  target: PipelineTarget,
  texts: string[],
  concurrency: number,
): Promise<PipelineRun> {
  const root = await mkdtemp(join(tmpdir(), 'af-bench-rag-'));
  const storage = createLocalStorage(root);
  try {
    const ids: string[] = [];
    for (const [i, text] of texts.entries()) {
      const [doc] = rowsOf<{ id: string }>(
        await owner.execute(sql`insert into documents (org_id, knowledge_base_id, name, source_type, file_type, status)
          values (${target.orgId}::uuid, ${target.kbId}::uuid, ${`bench-${i}.txt`}, 'text', 'text', 'pending') returning id`),
      );
      const key = documentStorageKey(target.orgId, target.kbId, doc!.id);
      await storage.put(key, Buffer.from(text, 'utf8'), { contentType: 'text/plain' });
      await owner.execute(sql`update documents set file_path = ${key} where id = ${doc!.id}::uuid`);
      ids.push(doc!.id);
    }
    let next = 0;
    let chunks = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) {
          const documentId = ids[next++]!;
          const result = await ingestDocument({ db: app, storage }, { orgId: target.orgId, documentId });
          if (result.outcome !== 'ready')
            throw new Error(`document ${documentId}: ${result.outcome} ${result.error ?? ''}`);
          chunks += result.chunkCount ?? 0;
        }
      }),
    );
    return { documents: ids.length, chunks, seconds: (performance.now() - started) / 1000, concurrency };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
