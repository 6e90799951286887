import type { Database } from '@agentflow/db';
import { createTestDatabase, type TestDatabase } from '@agentflow/db/testing';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type App, type AppDeps, buildApp } from '../app';
import { type AppConfig, loadConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { LogCapture } from './log-capture';

/** Config as the test process would load it, with per-test overrides. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ NODE_ENV: 'test', DATA_DIR: 'memory://', LOG_LEVEL: 'info' }), ...overrides };
}

export interface TestApp {
  app: App;
  logs: LogCapture;
}

export interface TestAppOptions extends Partial<Omit<AppDeps, 'config' | 'database' | 'logger'>> {
  database: Database;
  config?: Partial<AppConfig>;
  plugins?: FastifyPluginAsyncZod[];
}

/** buildApp with a capturing logger. Close `app` in afterAll/afterEach; the database is the caller's. */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const logs = new LogCapture();
  const config = testConfig(options.config);
  const app = await buildApp({
    ...options,
    config,
    logger: createLogger({ level: config.logLevel, stream: logs }),
  });
  await app.ready();
  return { app, logs };
}

/** One migrated database per test file: real Postgres when DATABASE_URL is set, PGlite otherwise. */
export function sharedTestDatabase(): {
  get(): TestDatabase;
  setup(): Promise<void>;
  teardown(): Promise<void>;
} {
  let database: TestDatabase | undefined;
  return {
    get() {
      if (!database) throw new Error('sharedTestDatabase().setup() has not run (call it in beforeAll)');
      return database;
    },
    async setup() {
      database = await createTestDatabase();
    },
    async teardown() {
      await database?.cleanup();
    },
  };
}
