import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Child-process tests boot a real worker (tsx compile, Redis, PGlite): seconds, not millis.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
