// Mutation testing of the grading logic: `npm run mutate`. Incremental: results of unchanged code and
// tests are kept in stryker-incremental.json (committed), so a run after a change re-tests only the
// mutants it touches. `npm run mutate -- --force` re-tests everything.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // The grading logic whose unit tests sit beside it. The other check modules are tested through the
  // scenario suites (see vitest.mutate.config.ts for why those are not part of a mutation run).
  mutate: [
    'checks/compose/*.ts',
    'checks/kube/*.ts',
    'checks/discovery.ts',
    'checks/text.ts',
    'checks/ex3/cluster.ts',
    'checks/ex6/deployments.ts',
    'checks/ex6/e2e.ts',
    'checks/ex6/services.ts',
    'checks/ex7/helm.ts',
    '!**/*.test.ts',
    'core/engine.ts',
    'core/score.ts',
    'core/redact.ts',
    'core/journal.ts',
    'probes/net.ts',
    'reporters/csv.ts',
    'reporters/text.ts',
    'reporters/markdown.ts',
  ],
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'bench/out'],
  incremental: true,
  incrementalFile: 'stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
  concurrency: 2,
  timeoutMS: 20_000,
  // The first run measures every test once, one at a time, with coverage per test.
  dryRunTimeoutMinutes: 30,
  disableTypeChecks: '{checks,core,probes,reporters}/**/*.ts',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
