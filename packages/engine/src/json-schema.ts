import type { SimpleJsonSchema } from '@agentflow/contracts';

/**
 * Validation for the JSON Schema subset of `SimpleJsonSchema` (extract outputs, tool arguments).
 * Returns readable problems (`$.items[0].name: expected string`), empty when valid.
 */
export function validateJson(schema: SimpleJsonSchema, value: unknown, at = '$'): string[] {
  const problems: string[] = [];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${at}: expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    return problems;
  }
  if (schema.type && !hasType(schema.type, value)) {
    problems.push(`${at}: expected ${schema.type}, got ${describe(value)}`);
    return problems;
  }
  if (schema.type === 'object' || (value !== null && typeof value === 'object' && !Array.isArray(value))) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(obj, key)) problems.push(`${at}.${key}: required`);
    }
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (Object.hasOwn(obj, key)) problems.push(...validateJson(sub, obj[key], `${at}.${key}`));
    }
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(obj)) {
        if (!schema.properties || !Object.hasOwn(schema.properties, key))
          problems.push(`${at}.${key}: not allowed`);
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((v, i) => {
      problems.push(...validateJson(items, v, `${at}[${i}]`));
    });
  }
  return problems;
}

function hasType(type: NonNullable<SimpleJsonSchema['type']>, v: unknown): boolean {
  switch (type) {
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
