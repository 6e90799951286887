import { prepareTestDatabases } from '.';

/**
 * Ready-made vitest globalSetup for any package whose tests use createTestDatabase():
 *   test: { globalSetup: ['@agentflow/db/testing/global-setup'] }
 * Builds the migrated template/snapshot once in the main process before workers start.
 */
export default async function setup(): Promise<void> {
  await prepareTestDatabases();
}
