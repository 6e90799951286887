import { z } from 'zod';

/**
 * What each plan allows when starting executions (seed 004 §8.4: "agent execution per org, based on
 * plan, rolling window"). Enforced by executions.start(); billing sets `organizations.plan`.
 * An unknown plan name gets the starter limits.
 */
export const planLimits = {
  starter: { max_concurrent_executions: 10, executions_per_hour: 1_000 },
  pro: { max_concurrent_executions: 50, executions_per_hour: 20_000 },
  enterprise: { max_concurrent_executions: 500, executions_per_hour: 1_000_000 },
} as const;

export const planNameSchema = z.enum(Object.keys(planLimits) as [keyof typeof planLimits]);
export type PlanName = keyof typeof planLimits;
export type PlanLimits = (typeof planLimits)[PlanName];

export function limitsOfPlan(plan: string | null | undefined): PlanLimits {
  return planLimits[(plan ?? 'starter') as PlanName] ?? planLimits.starter;
}
