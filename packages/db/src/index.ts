export type { Database, Db, DbConfig, DriverName, Schema } from './client';
export { createDb } from './client';
export {
  isUniqueViolation,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
  pgErrorCode,
} from './client/errors';
export { APP_ROLE, SYSTEM_ROLE } from './client/roles';
export { rowsOf } from './client/rows';
export { locateMigrationsDir, type MigrateOptions, migrate, migrationsHash } from './migrate';
export * as schema from './schema';
export { asSystem, executeInOrg, ORG_SETTING, USER_SETTING, withOrg, withUser } from './tenancy';
