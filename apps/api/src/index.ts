/**
 * For in-process use by other workspace code (e.g. end-to-end tests of the SDK): build the app and
 * drive it with `inject()`. Production starts through main.ts.
 */
export { type App, type AppDeps, buildApp } from './app';
export { type AppConfig, ConfigError, loadConfig } from './config/env';
export { createLogger } from './logging/logger';
