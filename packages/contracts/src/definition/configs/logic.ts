import { z } from 'zod';
import {
  conditionOperators,
  conditionSchema,
  handleIdSchema,
  nodeSettingsShape,
  uniqueStrings,
} from '../common';

/** Routes to the `true` or `false` handle. */
export const ifElseConfigSchema = z.object({ ...nodeSettingsShape, condition: conditionSchema });

/** `value` is compared with each case in order (`operator`, default `eq`); no match -> `default`. */
export const switchConfigSchema = z.object({
  ...nodeSettingsShape,
  value: z.unknown().refine((v) => v !== undefined, 'Required'),
  cases: z
    .array(
      z.object({
        id: handleIdSchema.refine((id) => id !== 'default', '"default" is reserved for the fallback handle'),
        operator: z.enum(conditionOperators).default('eq'),
        value: z.unknown().optional(),
        label: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(50)
    .refine((cases) => uniqueStrings(cases.map((c) => c.id)), 'Case ids must be unique'),
});

/**
 * For-each: `items` (a whole-string template resolving to an array, or a literal array) runs the
 * `each` handle's body once per item (`{{loop.item}}`, `{{loop.index}}`), then follows `done` with
 * `{ count, results }`. More items than `max_iterations` fails the step or truncates.
 */
export const loopConfigSchema = z.object({
  ...nodeSettingsShape,
  items: z.union([z.string().min(1), z.array(z.unknown())]),
  max_iterations: z.number().int().min(1).max(10_000).default(100),
  on_limit: z.enum(['fail', 'truncate']).default('fail'),
});

/** In-process waits only (a worker holds the run meanwhile), hence the 5-minute bound. */
export const maxDelayMs = 300_000;
export const delayConfigSchema = z
  .object({
    ...nodeSettingsShape,
    ms: z.number().int().min(0).max(maxDelayMs).optional(),
    seconds: z
      .number()
      .min(0)
      .max(maxDelayMs / 1000)
      .optional(),
  })
  .refine((c) => (c.ms === undefined) !== (c.seconds === undefined), 'Set exactly one of "ms" or "seconds"');

/**
 * Joins paths. `any` (default) runs when any incoming path arrives (re-joining an if/else);
 * `all` waits for every incoming path (after a parallel fan-out) and needs unconditional edges.
 */
export const mergeConfigSchema = z.object({
  ...nodeSettingsShape,
  mode: z.enum(['any', 'all']).default('any'),
});
