import { z } from 'zod';
import { roleSchema } from '../../roles';
import { nodeSettingsShape } from '../common';

/**
 * Builds an object: start from `source` (a template resolving to an object) with `pick` / `omit` /
 * `rename` applied, then set `values` (templates, resolved recursively) on top.
 */
export const transformSetConfigSchema = z.object({
  ...nodeSettingsShape,
  source: z.string().min(1).optional(),
  pick: z.array(z.string().min(1)).optional(),
  omit: z.array(z.string().min(1)).optional(),
  rename: z.record(z.string(), z.string().min(1)).optional(),
  values: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Pauses the run until a person decides (LangGraph `interrupt()`). The executions layer enforces
 * `timeout_seconds` by resuming with decision `timeout`, which `on_timeout` maps.
 */
export const humanApprovalConfigSchema = z.object({
  ...nodeSettingsShape,
  message: z.string().min(1).max(10_000),
  approvers: z
    .object({
      roles: z.array(roleSchema).optional(),
      user_ids: z.array(z.string().min(1)).optional(),
    })
    .refine((a) => (a.roles?.length ?? 0) + (a.user_ids?.length ?? 0) > 0, 'Name at least one role or user')
    .default({ roles: ['owner', 'admin'] }),
  timeout_seconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  on_timeout: z.enum(['approve', 'reject', 'fail']).default('reject'),
});

/** What a person answers; the resume value of a human node. */
export const approvalDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject', 'timeout']),
  comment: z.string().max(5000).optional(),
  by: z.string().max(200).optional(),
});
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** The execution's result (what a synchronous webhook returns); `body` is a template (any JSON). */
export const outputRespondConfigSchema = z.object({
  ...nodeSettingsShape,
  body: z.unknown(),
  status_code: z.number().int().min(100).max(599).default(200),
  headers: z.record(z.string(), z.string()).default({}),
});
