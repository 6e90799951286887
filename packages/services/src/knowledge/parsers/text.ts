import { DocumentParseError } from './types';

/**
 * Bytes -> string: UTF-8 (BOM stripped) or UTF-16 with a BOM. A file with NUL bytes or mostly
 * undecodable bytes is binary: refused with a readable error.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const text = new TextDecoder('utf-8').decode(bytes); // strips a UTF-8 BOM
  const sample = text.slice(0, 8192);
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) throw new DocumentParseError('The file looks binary (it contains NUL bytes), not text.');
    if (c === 0xfffd) bad++;
  }
  if (sample.length > 0 && bad / sample.length > 0.1) {
    throw new DocumentParseError('The file is not valid UTF-8 text.');
  }
  return text;
}

/**
 * Normalises whitespace without touching structure: CRLF -> LF, tabs/NBSP -> spaces, trailing spaces
 * removed, runs of 3+ newlines -> 2, control characters dropped.
 */
export function cleanText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/[\t\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
      .replace(/[ ]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}
