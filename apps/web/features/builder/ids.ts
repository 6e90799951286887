/** Ids the validator accepts (letters, digits, `_`, `-`; at most 64) and templates can name. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return s || 'node';
}

/** `base_1`, `base_2`, ...: the first one not in `taken` (readable in `{{node_<id>.output}}`). */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  const root = slug(base);
  for (let n = 1; ; n++) {
    const id = `${root}_${n}`;
    if (!taken.has(id)) return id;
  }
}
