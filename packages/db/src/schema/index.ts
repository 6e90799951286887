// The whole data model, one file per domain. drizzle-kit reads this barrel (drizzle/drizzle.config.ts),
// so a table exported from a domain file but not re-exported here gets no migration.
export * from './agents';
export * from './approvals';
export * from './audit';
export * from './auth';
export * from './billing';
export * from './checkpoints';
export type { JsonObject } from './columns';
export * from './executions';
export * from './integrations';
export * from './knowledge';
export * from './models';
export * from './orgs';
export * from './relations';
export * from './schedules';
export * from './webhooks';
