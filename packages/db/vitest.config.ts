import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    // First PGlite boot + migration and CREATE DATABASE on a cold server take seconds, not millis.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
