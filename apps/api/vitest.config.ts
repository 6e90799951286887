import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Process-level tests boot the server (PGlite first open ~3 s) and wait for drains.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
