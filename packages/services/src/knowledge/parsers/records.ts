import { DocumentParseError } from './types';

/** RFC 4180 CSV (quoted fields, escaped quotes, newlines inside quotes); `;` or tab when the header uses it. */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const delimiter = [',', ';', '\t'].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw new DocumentParseError('The CSV file has an unterminated quoted field.');
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** Serialises a row back to one CSV line (quotes only where needed). */
export function csvLine(fields: string[]): string {
  return fields.map((f) => (/[",\n\r;]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

/**
 * JSON records: a top-level array -> one record per element; an object whose largest value is an array
 * of records (`{"items": [...]}`) -> those; another object -> one record per top-level key. JSON Lines
 * (one value per line) are read too. Records are compact JSON.
 */
export function jsonRecords(text: string): { records: string[]; shape: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 1) {
      try {
        return { records: lines.map((l) => JSON.stringify(JSON.parse(l))), shape: 'jsonl' };
      } catch {
        // fall through to the original error
      }
    }
    throw new DocumentParseError(`The JSON file is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) return { records: value.map((v) => JSON.stringify(v)), shape: 'array' };
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const arrays = entries.filter(([, v]) => Array.isArray(v) && v.length > 0) as Array<[string, unknown[]]>;
    const largest = arrays.sort((a, b) => b[1].length - a[1].length)[0];
    if (largest && largest[1].length >= Math.max(2, entries.length)) {
      return { records: largest[1].map((v) => JSON.stringify(v)), shape: `object.${largest[0]}` };
    }
    return { records: entries.map(([k, v]) => JSON.stringify({ [k]: v })), shape: 'object' };
  }
  return { records: [JSON.stringify(value)], shape: 'scalar' };
}
