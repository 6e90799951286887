import {
  formatPath,
  hasTemplate,
  type PathSegment,
  parseTemplate,
  type TemplateExpression,
} from '@agentflow/contracts';
import { VariableError } from '../errors';

/**
 * Variable resolution (seed 004 §5.4). Templates are parsed once, when a graph is compiled; at run
 * time a `Scope` maps a root (`trigger`, `loop`, `node_<id>`) to its value, undefined when absent.
 *
 * - A string that is exactly one `{{...}}` keeps the value's type (object, number, array...).
 * - Embedded references are stringified: strings as-is, objects and arrays as JSON.
 * - A missing value (or null) takes the `| default:` literal; without one it is a VariableError that
 *   names the path, never the string "undefined".
 */
export type Scope = (root: string) => unknown;
export type Resolver = (scope: Scope) => unknown;

interface Compiled {
  resolve: Resolver;
  /** No template inside: the original value is returned as is (no copy per step). */
  constant: boolean;
}

export function compileValue(value: unknown): Resolver {
  return compile(value).resolve;
}

/** Resolve once without precompiling (handlers resolving ad-hoc values, tests). */
export function resolveValue(value: unknown, scope: Scope): unknown {
  return compile(value).resolve(scope);
}

function constant(value: unknown): Compiled {
  return { resolve: () => value, constant: true };
}

function compile(value: unknown): Compiled {
  if (typeof value === 'string') return compileString(value);
  if (Array.isArray(value)) {
    const items = value.map(compile);
    if (items.every((i) => i.constant)) return constant(value);
    return { resolve: (scope) => items.map((i) => i.resolve(scope)), constant: false };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compile(v)] as const);
    if (entries.every(([, c]) => c.constant)) return constant(value);
    return {
      resolve: (scope) => {
        const out: Record<string, unknown> = {};
        for (const [k, c] of entries) out[k] = c.resolve(scope);
        return out;
      },
      constant: false,
    };
  }
  return constant(value);
}

function compileString(source: string): Compiled {
  if (!hasTemplate(source)) return constant(source);
  const template = parseTemplate(source);
  if (template.whole) return { resolve: compileExpression(template.whole), constant: false };
  const parts = template.parts.map((p) => (typeof p === 'string' ? p : compileExpression(p)));
  return {
    resolve: (scope) => {
      let out = '';
      for (const p of parts) out += typeof p === 'string' ? p : stringify(p(scope));
      return out;
    },
    constant: false,
  };
}

export function compileExpression(expr: TemplateExpression): Resolver {
  const { root, path, fallback } = expr;
  return (scope) => {
    let current = scope(root);
    if (current === undefined) return missing(expr, 0, fallback);
    for (let i = 0; i < path.length; i++) {
      const next = step(current, path[i] as PathSegment);
      if (next === undefined) return missing(expr, i + 1, fallback);
      current = next;
    }
    if (current === null && fallback) return fallback.value;
    return current;
  };
}

/** Own properties only: `constructor` or `__proto__` never resolve to engine internals. */
function step(value: unknown, seg: PathSegment): unknown {
  if (Array.isArray(value)) {
    if (typeof seg === 'number' || /^\d+$/.test(seg)) return value[Number(seg)];
    return seg === 'length' ? value.length : undefined;
  }
  if (typeof value === 'string') return seg === 'length' ? value.length : undefined;
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, seg)) {
    return (value as Record<string, unknown>)[String(seg)];
  }
  return undefined;
}

function missing(expr: TemplateExpression, depth: number, fallback: TemplateExpression['fallback']): unknown {
  if (fallback) return fallback.value;
  const full = formatPath(expr.root, expr.path);
  if (depth === 0) {
    const why = expr.root.startsWith('node_')
      ? `node "${expr.root.slice(5)}" has no output (it has not run on this path)`
      : `"${expr.root}" is not available here`;
    throw new VariableError(
      full,
      `Variable {{${full}}} is missing: ${why}. Add "| default: ..." if it is optional`,
    );
  }
  const parent = formatPath(expr.root, expr.path.slice(0, depth - 1));
  const seg = expr.path[depth - 1];
  throw new VariableError(
    full,
    `Variable {{${full}}} is missing: ${parent} has no ${typeof seg === 'number' ? `item ${seg}` : `"${seg}"`}. Add "| default: ..." if it is optional`,
  );
}

/** How a value reads inside a larger string. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
