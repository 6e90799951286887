import { z } from 'zod';

export const healthSchema = z.object({ status: z.literal('ok'), uptime_s: z.number() });

export const dependencyCheckSchema = z.object({
  status: z.enum(['ok', 'error', 'disabled']),
  latency_ms: z.number().optional(),
  error: z.string().optional(),
});

/** `/readyz`: 200 when every configured dependency answers, 503 otherwise. */
export const readinessSchema = z.object({
  status: z.enum(['ok', 'error']),
  checks: z.object({ database: dependencyCheckSchema, redis: dependencyCheckSchema }),
});
export type Readiness = z.infer<typeof readinessSchema>;
