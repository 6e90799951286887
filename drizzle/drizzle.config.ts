import { defineConfig } from 'drizzle-kit';

// Paths are relative to the repo root: run through `pnpm db:generate` from there.
// Only `generate` is supported: migrations are applied by `migrate()` from @agentflow/db, because
// `drizzle-kit migrate` opens PGlite without the pgvector extension and fails.
export default defineConfig({
  dialect: 'postgresql',
  // The barrel re-exports every domain file, so test files beside the schema are never picked up.
  schema: './packages/db/src/schema/index.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
