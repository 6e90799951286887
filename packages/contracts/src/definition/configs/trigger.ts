import { z } from 'zod';
import { nodeSettingsShape, objectJsonSchema } from '../common';

/** The trigger payload enters the state as `{{trigger.data...}}`; `input_schema` documents/validates it. */
const triggerBase = {
  ...nodeSettingsShape,
  input_schema: objectJsonSchema.optional(),
  /** Example payload the canvas and dry runs use when none is given. */
  sample_data: z.record(z.string(), z.unknown()).optional(),
};

export const manualTriggerConfigSchema = z.object(triggerBase);
export const apiTriggerConfigSchema = z.object(triggerBase);

export const webhookTriggerConfigSchema = z.object({
  ...triggerBase,
  method: z.enum(['POST', 'GET', 'PUT']).default('POST'),
  /** `sync`: the HTTP caller waits for the output node's response (bounded by the API). */
  response_mode: z.enum(['async', 'sync']).default('async'),
});

/** Five cron fields (minute hour day month weekday): digits, `*`, `/`, `,`, `-` or names. */
const cronPattern = /^(\S+\s+){4}\S+$/;
const cronFieldPattern = /^[\d*/,A-Za-z?-]+$/;

export const scheduleTriggerConfigSchema = z.object({
  ...triggerBase,
  cron: z
    .string()
    .trim()
    .regex(cronPattern, 'Use five cron fields: minute hour day month weekday')
    .refine((c) => c.split(/\s+/).every((f) => cronFieldPattern.test(f)), 'Invalid character in cron'),
  timezone: z.string().min(1).max(64).default('UTC'),
  /** Fixed payload each scheduled run starts with. */
  data: z.record(z.string(), z.unknown()).default({}),
});
