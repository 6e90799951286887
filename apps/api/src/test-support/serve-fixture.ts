/**
 * Test-only entry point: main.ts plus the fixture routes (e.g. /api/v1/test/slow), so process-level
 * tests can hold a request in flight while they send SIGTERM. Same config, startup and shutdown path.
 */
import { loadConfig } from '../config/env';
import { createLogger } from '../logging/logger';
import { startServer } from '../server';
import { fixtureRoutes } from './fixture-routes';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel });
await startServer(config, { logger, plugins: [fixtureRoutes] });
