import type { DocumentFormat } from './types';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  txt: 'text',
  text: 'text',
  log: 'text',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  pdf: 'pdf',
  csv: 'csv',
  json: 'json',
  jsonl: 'json',
  ndjson: 'json',
  docx: 'docx',
};

const BY_MIME: Record<string, DocumentFormat> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'json',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

/**
 * The format of a file from its name, then its MIME type, then its first bytes (`%PDF-`, a ZIP holding
 * `word/`). Null: not a supported format (the document then fails with a readable error).
 */
export function detectFormat(input: {
  name?: string | null | undefined;
  mimeType?: string | null | undefined;
  bytes?: Uint8Array | undefined;
}): DocumentFormat | null {
  const extension = input.name?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (extension && BY_EXTENSION[extension]) return BY_EXTENSION[extension];
  const mime = input.mimeType?.toLowerCase().split(';')[0]?.trim();
  if (mime && BY_MIME[mime]) return BY_MIME[mime];
  const bytes = input.bytes;
  if (bytes && bytes.length >= 5) {
    const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 2048)));
    if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
    if (head[0] === 0x50 && head[1] === 0x4b && head.includes('word/')) return 'docx';
    const text = head.toString('utf8').trimStart().slice(0, 200).toLowerCase();
    if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'html';
  }
  // An unknown extension with a text/* type (or no type) is read as plain text.
  if (mime?.startsWith('text/')) return 'text';
  return null;
}

/** The MIME type to store an upload under. */
export function mimeTypeOf(format: DocumentFormat): string {
  for (const [mime, f] of Object.entries(BY_MIME)) if (f === format) return mime;
  return 'application/octet-stream';
}
