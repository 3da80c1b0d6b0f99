import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**', '.stryker-tmp/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real servers; two cores, so keep the pool small.
    maxWorkers: 2,
    // Golden files are never written by a plain run (CI or not): a missing one fails. `vitest run -u` writes them.
    update: 'none',
  },
});
