import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Builds the migrated template database once per run, before the test files race for it.
    globalSetup: ['@agentflow/db/testing/global-setup'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
