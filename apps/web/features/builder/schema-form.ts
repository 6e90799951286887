import { getNodeSpec } from '@agentflow/contracts';
import { z } from 'zod';

/**
 * The inspector's form, generated from a node's zod config schema (through `z.toJSONSchema`, input
 * side so defaults are optional): strings, numbers, booleans, enums, lists of strings or enum values,
 * nested objects; anything else (records, unions, arrays of objects, free values) gets a JSON editor.
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  additionalProperties?: unknown;
  default?: unknown;
  description?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

export type FieldKind =
  | { kind: 'string'; multiline: boolean }
  | { kind: 'number'; integer: boolean; min?: number | undefined; max?: number | undefined }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'string-list' }
  | { kind: 'enum-list'; options: string[] }
  | { kind: 'object'; fields: FieldSpec[] }
  /** Any JSON value; plain text that is not JSON is kept as a string (templates). */
  | { kind: 'value' }
  | { kind: 'json' };

export type FieldSpec = {
  key: string;
  path: string[];
  label: string;
  required: boolean;
  advanced: boolean;
  description?: string | undefined;
  defaultValue?: unknown;
} & FieldKind;

/** Engine-wide settings every config accepts: tucked away under "Advanced". */
const advancedKeys = new Set(['timeout_ms', 'retry']);
const multilineKeys = /prompt|message|description|task|goal|backstory|context|expected_output|query/;

export function humanLabel(key: string): string {
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function kindOf(key: string, s: JsonSchema): FieldKind {
  if (s.$ref || s.anyOf || s.oneOf) return { kind: 'json' };
  if (s.enum?.every((v) => typeof v === 'string')) return { kind: 'enum', options: s.enum as string[] };
  switch (s.type) {
    case 'string':
      return { kind: 'string', multiline: multilineKeys.test(key) || (s.maxLength ?? 0) > 4096 };
    case 'integer':
    case 'number':
      return { kind: 'number', integer: s.type === 'integer', min: s.minimum, max: s.maximum };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      const items = s.items ?? {};
      if (items.enum?.every((v) => typeof v === 'string'))
        return { kind: 'enum-list', options: items.enum as string[] };
      if (items.type === 'string' && !items.$ref) return { kind: 'string-list' };
      return { kind: 'json' };
    }
    case 'object':
      if (s.properties && Object.keys(s.properties).length > 0 && !isSchema(s.additionalProperties)) {
        return { kind: 'object', fields: fieldsOf(s, []) };
      }
      return { kind: 'json' };
    case undefined:
      return Object.keys(s).filter((k) => k !== 'default' && k !== 'description').length === 0
        ? { kind: 'value' }
        : { kind: 'json' };
    default:
      return { kind: 'json' };
  }
}

const isSchema = (v: unknown) => !!v && typeof v === 'object' && Object.keys(v).length > 0;

function fieldsOf(schema: JsonSchema, base: string[]): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, s]) => {
    const path = [...base, key];
    const kind = kindOf(key, s);
    const field = {
      key,
      path,
      label: humanLabel(key),
      required: required.has(key),
      advanced: base.length === 0 && advancedKeys.has(key),
      description: s.description,
      ...(s.default !== undefined ? { defaultValue: s.default } : {}),
      ...kind,
    } as FieldSpec;
    if (field.kind === 'object') field.fields = fieldsOf(s, path);
    return field;
  });
}

const cache = new Map<string, FieldSpec[] | null>();

/** The form of `type`/`subtype` (cached), or null for a node type the catalog does not know. */
export function formFor(type: string, subtype: string): FieldSpec[] | null {
  const key = `${type}.${subtype}`;
  if (cache.has(key)) return cache.get(key) ?? null;
  const spec = getNodeSpec(type, subtype);
  let fields: FieldSpec[] | null = null;
  if (spec) {
    try {
      const json = z.toJSONSchema(spec.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      fields = fieldsOf(json, []);
    } catch {
      fields = null;
    }
  }
  cache.set(key, fields);
  return fields;
}

/** The config checked against its zod schema: error messages by dotted path ('' = the whole config). */
export function configErrors(
  type: string,
  subtype: string,
  config: Record<string, unknown>,
): Record<string, string[]> {
  const spec = getNodeSpec(type, subtype);
  if (!spec) return { '': [`Unknown node type "${type}.${subtype}"`] };
  const parsed = spec.configSchema.safeParse(config);
  if (parsed.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    const list = out[path];
    if (list) list.push(issue.message);
    else out[path] = [issue.message];
  }
  return out;
}

/** Errors that belong to a field: its own path and anything under it (`labels` gets `labels.1`). */
export function errorsFor(errors: Record<string, string[]>, path: string[]): string[] {
  const p = path.join('.');
  const out: string[] = [];
  for (const [k, messages] of Object.entries(errors)) {
    if (k === p || k.startsWith(`${p}.`)) out.push(...messages);
  }
  return out;
}

export function getIn(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A copy of `obj` with `path` set to `value` (undefined removes the key). */
export function setIn(
  obj: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return obj;
  const out = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const child = out[head];
  out[head] = setIn(
    child && typeof child === 'object' && !Array.isArray(child) ? (child as Record<string, unknown>) : {},
    rest,
    value,
  );
  return out;
}

/** A free value as text: strings as they are, anything else as JSON. */
export function valueToText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/** Text back to a value: JSON when it parses as an object, array, number, boolean or null, else the text. */
export function textToValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^[[{"]|^-?\d|^(true|false|null)$/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}
