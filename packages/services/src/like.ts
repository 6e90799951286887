/**
 * A LIKE/ILIKE pattern matching `search` anywhere in the text. `%`, `_` and `\` in a search are literal
 * characters, not wildcards (backslash is Postgres's default LIKE escape), so a user typing `50%` finds
 * "50%" and not every text containing "50".
 */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
