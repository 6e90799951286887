import { z } from 'zod';

/**
 * Node and edge ids: letters, digits, `_` and `-` only, so a node can be referenced in a template as
 * `{{node_<id>.output...}}` without quoting (React Flow ids and UUIDs fit).
 */
export const definitionIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const definitionIdSchema = z
  .string()
  .regex(definitionIdPattern, 'Use 1-64 letters, digits, "_" or "-"');

/** A branch handle name (if/else `true`/`false`, a switch case id, a classify label...). */
export const handleIdSchema = z.string().min(1).max(100);

export const positionSchema = z.object({ x: z.number(), y: z.number() });

/** Operators of a condition; the unary ones ignore `right`. */
export const conditionOperators = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'in',
  'not_in',
  'exists',
  'not_exists',
  'is_empty',
  'is_not_empty',
  'is_true',
  'is_false',
] as const;
export type ConditionOperator = (typeof conditionOperators)[number];
export const unaryConditionOperators: readonly ConditionOperator[] = [
  'exists',
  'not_exists',
  'is_empty',
  'is_not_empty',
  'is_true',
  'is_false',
];

/**
 * `{ left, operator, right }`: `left` is usually a whole-string template (`{{node_score.output.value}}`)
 * so it keeps its type; `right` is a literal or a template.
 */
export const conditionSchema = z
  .object({
    left: z.unknown(),
    operator: z.enum(conditionOperators),
    right: z.unknown().optional(),
  })
  .superRefine((c, ctx) => {
    if (!unaryConditionOperators.includes(c.operator) && c.right === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['right'],
        message: `Operator "${c.operator}" needs a right operand`,
      });
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

/**
 * Per-node retry (seed 004 §5.5): exponential backoff `min(base * factor^(attempt-1), max)` on retryable
 * errors only (provider timeouts, 429s, connection errors, 5xx). `max_attempts` counts the first try.
 */
export const retrySettingsSchema = z.object({
  max_attempts: z.number().int().min(1).max(10).optional(),
  base_delay_ms: z.number().int().min(0).max(600_000).optional(),
  max_delay_ms: z.number().int().min(0).max(3_600_000).optional(),
  factor: z.number().min(1).max(10).optional(),
  jitter: z.boolean().optional(),
});
export type RetrySettings = z.infer<typeof retrySettingsSchema>;

/** Keys every node config may carry, whatever its subtype: the engine reads them, handlers don't. */
export const nodeSettingsShape = {
  /** Wall-clock cap of one attempt; the handler's own default applies when absent. */
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  retry: retrySettingsSchema.optional(),
};

/**
 * The subset of JSON Schema the engine understands (extract output, tool parameters, trigger input):
 * enough for forms and validation without shipping a full JSON Schema engine to the browser.
 */
export type SimpleJsonSchema = {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  description?: string;
  properties?: Record<string, SimpleJsonSchema>;
  required?: string[];
  items?: SimpleJsonSchema;
  enum?: unknown[];
  additionalProperties?: boolean;
};
export const simpleJsonSchema: z.ZodType<SimpleJsonSchema> = z.lazy(() =>
  z.object({
    type: z.enum(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']).optional(),
    description: z.string().max(2000).optional(),
    properties: z.record(z.string(), simpleJsonSchema).optional(),
    required: z.array(z.string()).optional(),
    items: simpleJsonSchema.optional(),
    enum: z.array(z.unknown()).min(1).optional(),
    additionalProperties: z.boolean().optional(),
  }),
);
export const objectJsonSchema = simpleJsonSchema.refine((s) => s.type === 'object', {
  message: 'The top-level schema must have "type": "object"',
});

/** A model reference: a provider model id (`gpt-4o`, `echo`) or an org model id; absent = org default. */
export const modelRefSchema = z.string().min(1).max(200).optional();

export function uniqueStrings(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}
