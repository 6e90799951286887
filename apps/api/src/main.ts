import { ConfigError, loadConfig } from './config/env';
import { createLogger } from './logging/logger';
import { startServer } from './server';

// Plain text on stderr, not JSON: the logger's own settings (LOG_LEVEL) may be what is wrong.
function readConfig() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`agentflow-api: ${error.message}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger({ level: config.logLevel });

try {
  await startServer(config, { logger });
} catch (error) {
  logger.fatal({ err: error }, 'startup failed');
  process.exit(1);
}
