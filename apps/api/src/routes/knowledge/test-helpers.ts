import { randomBytes } from 'node:crypto';
import type { Db } from '@agentflow/db';
import { documentChunks, documents } from '@agentflow/db/schema';
import { createLocalEmbedder } from '@agentflow/services';

/**
 * Test-only: stores a ready document with its chunks and local-model embeddings directly (what the
 * ingestion pipeline writes), through the owner connection.
 */
export async function insertDocument(
  db: Db,
  target: { orgId: string; kbId: string },
  name: string,
  chunks: string[],
): Promise<{ documentId: string; chunkIds: string[] }> {
  const vectors = await createLocalEmbedder().embed(chunks);
  const [doc] = await db
    .insert(documents)
    .values({
      orgId: target.orgId,
      knowledgeBaseId: target.kbId,
      name,
      sourceType: 'text',
      status: 'ready',
      chunkCount: chunks.length,
      processedAt: new Date(),
    })
    .returning({ id: documents.id });
  const rows = await db
    .insert(documentChunks)
    .values(
      chunks.map((content, i) => ({
        orgId: target.orgId,
        documentId: doc!.id,
        knowledgeBaseId: target.kbId,
        content,
        chunkIndex: i,
        embedding: vectors[i]!,
        metadata: { source: name },
      })),
    )
    .returning({ id: documentChunks.id });
  return { documentId: doc!.id, chunkIds: rows.map((r) => r.id) };
}

/** A small handbook: each chunk answers one question. */
export const handbook = [
  'Refund policy: customers may request a refund within 30 days of purchase by contacting support with the order number.',
  'Shipping: orders leave our warehouse within two business days; international delivery takes one to two weeks.',
  'Password reset: use the Forgot password link on the sign-in page. The emailed link expires after one hour.',
  'Support hours: the support team answers chat and email Monday to Friday, 9:00 to 17:00 Central European Time.',
  'Invoices: every invoice is available as a PDF under Billing, and can be sent to an accounting email address.',
  'Data export: administrators can export all workspace data as JSON from Settings, Advanced, Export.',
];
export const refundQuestion = 'How many days do I have to ask for a refund of my purchase?';

export interface MultipartFile {
  name: string;
  type: string;
  content: Buffer;
}

/** A multipart/form-data body with one `files` part per entry (and a text field, which is ignored). */
export function multipart(parts: MultipartFile[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----af${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nignored\r\n`),
  ];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${part.name}"\r\nContent-Type: ${part.type}\r\n\r\n`,
      ),
      part.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
