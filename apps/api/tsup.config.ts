import { defineConfig } from 'tsup';

/**
 * One ESM file, dist/main.js. Workspace packages (@agentflow/*) ship TypeScript sources, so they are
 * compiled into the bundle; every other package stays an import resolved from node_modules at run
 * time (PGlite and Swagger UI load files relative to their own package, which bundling would break).
 * Consequence: a runtime dependency of an inlined workspace package must also be listed in this
 * package's dependencies (see README "Pitfalls"); build.test.ts checks it.
 */
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  splitting: false,
  noExternal: [/^@agentflow\//],
  // Any bare specifier that is not a workspace package.
  external: [/^(?!@agentflow\/)[^./]/],
});
