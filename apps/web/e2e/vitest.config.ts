import { defineConfig } from 'vitest/config';

// The browser suite: one stack per run (global setup), files run one after another in one browser each.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
