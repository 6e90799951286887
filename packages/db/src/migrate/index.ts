export { migrationsHash } from './hash';
export { locateMigrationsDir } from './locate';
export { type MigrateOptions, migrate } from './migrate';
