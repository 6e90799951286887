import { type ConditionOperator, unaryConditionOperators } from '@agentflow/contracts';

/**
 * Condition operators for if/else, switch cases and edge guards. Values typed on a canvas are often
 * strings ("5", "true") while resolved values keep their types, so comparisons coerce numeric and
 * boolean strings; anything else compares strictly (objects by JSON).
 */
export function evaluateCondition(operator: ConditionOperator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case 'eq':
      return looseEqual(left, right);
    case 'neq':
      return !looseEqual(left, right);
    case 'gt':
      return compare(left, right, (c) => c > 0);
    case 'gte':
      return compare(left, right, (c) => c >= 0);
    case 'lt':
      return compare(left, right, (c) => c < 0);
    case 'lte':
      return compare(left, right, (c) => c <= 0);
    case 'contains':
      return contains(left, right);
    case 'not_contains':
      return !contains(left, right);
    case 'starts_with':
      return isPresent(left) && String(left).startsWith(String(right));
    case 'ends_with':
      return isPresent(left) && String(left).endsWith(String(right));
    case 'in':
      return within(left, right);
    case 'not_in':
      return !within(left, right);
    case 'exists':
      return isPresent(left);
    case 'not_exists':
      return !isPresent(left);
    case 'is_empty':
      return isEmpty(left);
    case 'is_not_empty':
      return !isEmpty(left);
    case 'is_true':
      return left === true || left === 'true';
    case 'is_false':
      return left === false || left === 'false';
  }
}

/** Unary checks must see a missing value as missing, not fail the step. */
export function toleratesMissing(operator: ConditionOperator): boolean {
  return unaryConditionOperators.includes(operator);
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function isEmpty(v: unknown): boolean {
  if (!isPresent(v) || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

const numeric = /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : v;
  if (typeof v === 'string' && numeric.test(v)) return Number(v);
  return undefined;
}

function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (typeof a === 'boolean' && typeof b === 'string') return String(a) === b;
  if (typeof b === 'boolean' && typeof a === 'string') return String(b) === a;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function compare(a: unknown, b: unknown, test: (c: number) => boolean): boolean {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return test(na - nb);
  // ISO dates and other strings compare lexicographically.
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  return false;
}

function contains(haystack: unknown, needle: unknown): boolean {
  if (typeof haystack === 'string') return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((x) => looseEqual(x, needle));
  if (haystack !== null && typeof haystack === 'object') return Object.hasOwn(haystack, String(needle));
  return false;
}

function within(value: unknown, list: unknown): boolean {
  if (Array.isArray(list)) return list.some((x) => looseEqual(value, x));
  if (typeof list === 'string') return isPresent(value) && list.includes(String(value));
  return false;
}
