import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  // Workspace packages export TypeScript source, so they must be bundled; every npm dependency stays
  // external and is resolved from this app's node_modules at run time (hence the db driver packages
  // in this package.json: pnpm does not let the bundle see @agentflow/db's own dependencies).
  noExternal: [/^@agentflow\//],
  skipNodeModulesBundle: true,
});
