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

/**
 * Five cron fields (minute hour day month weekday), or six with a leading seconds field: digits, `*`,
 * `/`, `,`, `-`, `?` or names. Only the shape is checked here (contracts stay dependency-free and
 * browser-safe); the services parse the expression strictly (ranges, names, L/W/#) with the same
 * `cron-parser` BullMQ uses when a schedule is synced, and refuse the publish with the same 422.
 */
const cronPattern = /^(\S+\s+){4,5}\S+$/;
const cronFieldPattern = /^[\d*/,A-Za-z?#-]+$/;

/** An IANA time zone the runtime knows (`Europe/Berlin`, `UTC`); offsets like `+01:00` are refused. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const scheduleTriggerConfigSchema = z.object({
  ...triggerBase,
  cron: z
    .string()
    .trim()
    .regex(cronPattern, 'Use five cron fields (minute hour day month weekday), or six with leading seconds')
    .refine((c) => c.split(/\s+/).every((f) => cronFieldPattern.test(f)), 'Invalid character in cron'),
  /** IANA zone the cron fields are read in (DST included): `0 9 * * 1-5` in Europe/Berlin is 09:00 there. */
  timezone: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine(isValidTimeZone, 'Unknown time zone: use an IANA name such as Europe/Berlin or UTC')
    .default('UTC'),
  /** Fixed payload each scheduled run starts with. */
  data: z.record(z.string(), z.unknown()).default({}),
});
