import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { htmlToText } from './html';
import { csvLine, jsonRecords, parseCsv } from './records';
import { cleanText, decodeText } from './text';
import { type DocumentFormat, DocumentParseError, type ParsedDocument } from './types';

export { detectFormat, mimeTypeOf } from './detect';
export { decodeEntities, htmlToText } from './html';
export { csvLine, jsonRecords, parseCsv } from './records';
export { cleanText, decodeText } from './text';
export { type DocumentFormat, DocumentParseError, documentFormats, type ParsedDocument } from './types';

const FORMAT_NAMES: Record<DocumentFormat, string> = {
  text: 'text',
  markdown: 'Markdown',
  html: 'HTML',
  pdf: 'PDF',
  csv: 'CSV',
  json: 'JSON',
  docx: 'Word (DOCX)',
};

/**
 * Extracts the text (or records) of a file in a supported format, cleaned. Throws DocumentParseError
 * with a readable message for a corrupt or empty file; the caller fails that one document.
 */
export async function parseDocument(bytes: Uint8Array, format: DocumentFormat): Promise<ParsedDocument> {
  const parsed = await parse(bytes, format);
  if (parsed.kind === 'text' && parsed.text.length === 0) {
    throw new DocumentParseError(
      format === 'pdf'
        ? 'The PDF has no text layer (scanned pages need OCR, which is not supported).'
        : `The ${FORMAT_NAMES[format]} file contains no text.`,
    );
  }
  if (parsed.kind === 'records' && parsed.records.length === 0) {
    throw new DocumentParseError(`The ${FORMAT_NAMES[format]} file contains no rows.`);
  }
  return parsed;
}

async function parse(bytes: Uint8Array, format: DocumentFormat): Promise<ParsedDocument> {
  switch (format) {
    case 'text':
    case 'markdown':
      return { kind: 'text', format, text: cleanText(decodeText(bytes)), metadata: {} };
    case 'html': {
      const { text, title } = htmlToText(decodeText(bytes));
      return { kind: 'text', format, text: cleanText(text), metadata: title ? { title } : {} };
    }
    case 'pdf':
      return parsePdf(bytes);
    case 'docx':
      return parseDocx(bytes);
    case 'csv': {
      const rows = parseCsv(cleanLineEndings(decodeText(bytes)));
      const [header, ...data] = rows;
      if (!header) return { kind: 'records', format, header: null, records: [], metadata: { rows: 0 } };
      return {
        kind: 'records',
        format,
        header: csvLine(header.map((h) => h.trim())),
        records: data.map(csvLine),
        metadata: { rows: data.length, columns: header.length },
      };
    }
    case 'json': {
      const { records, shape } = jsonRecords(decodeText(bytes));
      return { kind: 'records', format, header: null, records, metadata: { records: records.length, shape } };
    }
  }
}

function cleanLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

async function parsePdf(bytes: Uint8Array): Promise<ParsedDocument> {
  let pages: string[];
  let totalPages: number;
  try {
    // pdf.js takes ownership of (detaches) the buffer it gets: give it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      const result = await extractText(pdf, { mergePages: false });
      pages = result.text;
      totalPages = result.totalPages;
    } finally {
      await pdf.loadingTask.destroy();
    }
  } catch (error) {
    throw new DocumentParseError(`The PDF could not be read (corrupt or encrypted): ${reason(error)}`);
  }
  // Pages separated by a blank line, so the splitter prefers page boundaries.
  const text = cleanText(pages.map((p) => p.trim()).join('\n\n'));
  return { kind: 'text', format: 'pdf', text, metadata: { pages: totalPages } };
}

async function parseDocx(bytes: Uint8Array): Promise<ParsedDocument> {
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
    return { kind: 'text', format: 'docx', text: cleanText(result.value), metadata: {} };
  } catch (error) {
    throw new DocumentParseError(
      `The Word document could not be read (corrupt or not a .docx): ${reason(error)}`,
    );
  }
}

function reason(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .slice(0, 200);
}

/** Human name of a format, for messages. */
export function formatName(format: DocumentFormat): string {
  return FORMAT_NAMES[format];
}
