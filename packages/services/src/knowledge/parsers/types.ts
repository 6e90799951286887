export const documentFormats = ['text', 'markdown', 'html', 'pdf', 'csv', 'json', 'docx'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

/**
 * What a parser extracted. Prose formats give `text` (split later by the recursive splitter);
 * record formats (CSV, JSON) give `records`: each row / record is one unit that is never split across
 * chunks (unless it alone exceeds the chunk size), and `header` (CSV's header row) is repeated at the
 * top of every chunk.
 */
export type ParsedDocument =
  | { kind: 'text'; format: DocumentFormat; text: string; metadata: Record<string, unknown> }
  | {
      kind: 'records';
      format: DocumentFormat;
      header: string | null;
      records: string[];
      metadata: Record<string, unknown>;
    };

/** A file that cannot be ingested (unsupported, corrupt, empty): the message is shown to the user. */
export class DocumentParseError extends Error {
  override readonly name = 'DocumentParseError';
}
