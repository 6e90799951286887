/**
 * The `{{...}}` template language of node configs (seed 004 §5.4), parsed here so the canvas, the
 * validator and the engine agree on it:
 *
 *   {{trigger.data.email}}            the trigger payload
 *   {{node_classify.output.label}}    a node's output: `node_` + the node id
 *   {{node_fetch.output.items[0].name}} / {{node_x.output["odd key"]}}
 *   {{loop.item}} {{loop.index}}      the innermost loop around the node
 *   {{a.b | default: "x"}}            a JSON literal used when the value is missing or null
 *
 * Pure (no Node built-ins): the browser imports it.
 */

export type PathSegment = string | number;

export interface TemplateExpression {
  /** The text between the braces, trimmed. */
  raw: string;
  root: string;
  path: PathSegment[];
  /** Present when the expression has `| default: <literal>`. */
  fallback?: { value: unknown };
}

export type TemplatePart = string | TemplateExpression;

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Set when the whole string is exactly one expression: its value keeps its type. */
  whole: TemplateExpression | null;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export const nodeRootPrefix = 'node_';

export function hasTemplate(value: string): boolean {
  return value.includes('{{');
}

/** The node id a root names (`node_classify` -> `classify`), or null for `trigger`/`loop`/others. */
export function nodeIdFromRoot(root: string): string | null {
  return root.startsWith(nodeRootPrefix) && root.length > nodeRootPrefix.length
    ? root.slice(nodeRootPrefix.length)
    : null;
}

/** `node_fetch.output.items[0].name`: how errors name a path. */
export function formatPath(root: string, path: readonly PathSegment[]): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += /^[A-Za-z0-9_$-]+$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      parts.push(source.slice(i));
      break;
    }
    if (open > i) parts.push(source.slice(i, open));
    const close = findClose(source, open + 2);
    if (close === -1) throw new TemplateSyntaxError(`Unclosed "{{" at position ${open}`, source);
    parts.push(parseExpression(source.slice(open + 2, close)));
    i = close + 2;
  }
  const first = parts[0];
  const whole = parts.length === 1 && first !== undefined && typeof first !== 'string' ? first : null;
  return { parts, whole };
}

/** Index of the `}}` closing an expression, skipping quoted strings (a default may contain `}}`). */
function findClose(source: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}' && source[i + 1] === '}') return i;
  }
  return -1;
}

const identChar = /[A-Za-z0-9_$-]/;

export function parseExpression(text: string): TemplateExpression {
  const raw = text.trim();
  const c = new Cursor(raw);
  if (!raw) throw new TemplateSyntaxError('Empty expression "{{}}"', raw);
  const root = c.ident();
  const path: PathSegment[] = [];
  for (;;) {
    c.skipWs();
    if (c.eat('.')) path.push(c.ident());
    else if (c.eat('[')) {
      c.skipWs();
      const ch = c.peek();
      if (ch === '"' || ch === "'") path.push(c.string());
      else path.push(c.integer());
      c.skipWs();
      c.expect(']');
    } else break;
  }
  const expr: TemplateExpression = { raw, root, path };
  c.skipWs();
  if (c.eat('|')) {
    c.skipWs();
    const filter = c.ident();
    if (filter !== 'default')
      throw new TemplateSyntaxError(`Unknown filter "${filter}" (only "default")`, raw);
    c.skipWs();
    c.expect(':');
    c.skipWs();
    expr.fallback = { value: c.literal() };
    c.skipWs();
  }
  if (!c.done()) throw new TemplateSyntaxError(`Unexpected "${c.rest()}" in "{{${raw}}}"`, raw);
  return expr;
}

class Cursor {
  private i = 0;
  constructor(private readonly s: string) {}
  done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string | undefined {
    return this.s[this.i];
  }
  rest(): string {
    return this.s.slice(this.i);
  }
  skipWs(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) this.i++;
  }
  eat(ch: string): boolean {
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }
  expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`expected "${ch}"`);
  }
  fail(what: string): never {
    throw new TemplateSyntaxError(`Invalid expression "{{${this.s}}}": ${what} at ${this.i}`, this.s);
  }
  ident(): string {
    const start = this.i;
    while (this.i < this.s.length && identChar.test(this.s[this.i] ?? '')) this.i++;
    if (start === this.i) this.fail('expected a name');
    return this.s.slice(start, this.i);
  }
  integer(): number {
    const m = /^\d+/.exec(this.rest());
    if (!m) this.fail('expected an index');
    this.i += m[0].length;
    return Number(m[0]);
  }
  string(): string {
    const quote = this.s[this.i];
    let out = '';
    this.i++;
    while (this.i < this.s.length) {
      const ch = this.s[this.i++];
      if (ch === quote) return out;
      if (ch === '\\') {
        const next = this.s[this.i++];
        out += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
      } else out += ch;
    }
    return this.fail('unterminated string');
  }
  literal(): unknown {
    const ch = this.peek();
    if (ch === '"' || ch === "'") return this.string();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.rest());
    if (!m) return this.fail('expected a default value (a quoted string, number, true, false or null)');
    this.i += m[0].length;
    return JSON.parse(m[0]);
  }
}

/** Every template string inside a config value, with its path (for validation and references). */
export function collectTemplateStrings(
  value: unknown,
  path: PathSegment[] = [],
  out: Array<{ path: PathSegment[]; source: string }> = [],
): Array<{ path: PathSegment[]; source: string }> {
  if (typeof value === 'string') {
    if (hasTemplate(value)) out.push({ path, source: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      collectTemplateStrings(v, [...path, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectTemplateStrings(v, [...path, k], out);
  }
  return out;
}
