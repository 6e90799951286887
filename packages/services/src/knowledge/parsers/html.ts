/**
 * The readable text of an HTML page: scripts, styles, templates, SVG, navigation, headers, footers and
 * asides dropped; `<main>` / `<article>` preferred when the page has one; block elements become line
 * breaks, list items bullets, headings Markdown-style `#` lines (so the Markdown-aware splitter keeps
 * sections together); entities decoded.
 */
export function htmlToText(html: string): { text: string; title: string | null } {
  const titleMatch = html.match(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const title = titleMatch ? decodeEntities(stripTags(titleMatch[1] ?? '')).trim() || null : null;
  let body = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template|svg|canvas|iframe|object|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(script|style|link|meta)\b[^>]*\/?>/gi, ' ');
  const main = pickMain(body);
  if (main) body = main;
  else body = body.replace(/<(nav|header|footer|aside|form)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  const text = body
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_, level: string, inner: string) => {
      const heading = stripTags(inner).replace(/\s+/g, ' ').trim();
      return heading ? `\n\n${'#'.repeat(Number(level))} ${heading}\n\n` : '\n';
    })
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<(br|hr)\b[^>]*\/?>/gi, '\n')
    .replace(
      /<\/?(p|div|section|article|main|ul|ol|table|tr|blockquote|pre|dl|dt|dd|figure|figcaption|h[1-6])\b[^>]*>/gi,
      '\n\n',
    )
    .replace(/<\/(td|th)\s*>/gi, ' \t ')
    .replace(/<[^>]+>/g, '')
    .replace(/[ \t\f\v]+/g, ' ');
  return { text: decodeEntities(text), title };
}

function pickMain(html: string): string | null {
  for (const tag of ['main', 'article']) {
    const matches = [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)<\\/${tag}\\s*>`, 'gi'))];
    if (matches.length > 0) return matches.map((m) => m[1]).join('\n\n');
  }
  return null;
}

function stripTags(s: string): string {
  return s.replace(/<[^>]+>/g, '');
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  deg: '°',
  middot: '·',
  bull: '•',
  times: '×',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[entity.toLowerCase()] ?? whole;
  });
}
