import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { ParsedDocument } from '../parsers';

export interface ChunkDraft {
  content: string;
  metadata: Record<string, unknown>;
}

export interface SplitOptions {
  chunkSize: number;
  chunkOverlap: number;
}

/**
 * Splits a parsed document into chunks of at most `chunkSize` characters:
 * - prose: LangChain's RecursiveCharacterTextSplitter (paragraphs, lines, sentences, words), the
 *   Markdown-aware separators for Markdown and HTML (whose headings become `#` lines), with overlap;
 * - records (CSV rows, JSON records): whole records packed into chunks, the CSV header repeated at the
 *   top of each; a record longer than a chunk alone is split like prose (header on every piece).
 */
export async function splitDocument(doc: ParsedDocument, options: SplitOptions): Promise<ChunkDraft[]> {
  const chunkSize = Math.max(1, options.chunkSize);
  const chunkOverlap = Math.max(0, Math.min(options.chunkOverlap, chunkSize - 1));
  if (doc.kind === 'text') {
    const splitter =
      doc.format === 'markdown' || doc.format === 'html'
        ? RecursiveCharacterTextSplitter.fromLanguage('markdown', { chunkSize, chunkOverlap })
        : new RecursiveCharacterTextSplitter({ chunkSize, chunkOverlap });
    const pieces = (await splitter.splitText(doc.text)).map((p) => p.trim()).filter(Boolean);
    return pieces.map((content) => ({ content, metadata: {} }));
  }

  const header = doc.header;
  const prefix = header ? `${header}\n` : '';
  const room = Math.max(1, chunkSize - prefix.length);
  const chunks: ChunkDraft[] = [];
  let lines: string[] = [];
  let length = 0;
  let first = 0;
  const flush = (last: number) => {
    if (lines.length === 0) return;
    chunks.push({ content: prefix + lines.join('\n'), metadata: { records: [first, last] } });
    lines = [];
    length = 0;
  };
  for (let i = 0; i < doc.records.length; i++) {
    const record = doc.records[i] as string;
    if (record.length > room) {
      // Too long for any chunk: split it alone, header on every piece.
      flush(i - 1);
      const splitter = new RecursiveCharacterTextSplitter({
        chunkSize: room,
        chunkOverlap: Math.min(chunkOverlap, room - 1),
        separators: ['\n', ', ', ',', ' ', ''],
      });
      for (const piece of await splitter.splitText(record)) {
        chunks.push({ content: prefix + piece, metadata: { records: [i, i] } });
      }
      first = i + 1;
      continue;
    }
    const added = (lines.length > 0 ? 1 : 0) + record.length;
    if (length + added > room) {
      flush(i - 1);
      first = i;
    }
    if (lines.length === 0) first = i;
    lines.push(record);
    length += lines.length > 1 ? record.length + 1 : record.length;
  }
  flush(doc.records.length - 1);
  return chunks;
}

/** A rough token count (≈ 4 characters per token for English), stored for budgeting retrieval context. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
