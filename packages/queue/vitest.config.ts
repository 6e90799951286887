import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Redis-backed suites open real connections and wait on BullMQ workers; seconds, not millis.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
