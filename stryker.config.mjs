// Mutation testing of the grading logic: `npm run mutate`. Incremental: results of unchanged code and
// tests are kept in stryker-incremental.json (committed), so a run after a change re-tests only the
// mutants it touches. `npm run mutate -- --force` re-tests everything.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // The grading logic, with its unit tests beside it: redaction, scoring, the journal, the network
  // policy, the reports' escaping, the engine, and the check modules that decide the most disputed
  // grades (Compose ports, variables and the .env file that fills them, the cluster and its discovery, Exercise 6 Deployments, Services
  // and end to end, Helm). Other modules join as their unit tests do; the scenario suites cover them in
  // `npm test`.
  mutate: [
    'core/redact.ts',
    'core/score.ts',
    'core/journal.ts',
    'core/engine.ts',
    'core/check-context.ts',
    'core/result-spool.ts',
    'probes/addresses.ts',
    'probes/net.ts',
    'reporters/csv.ts',
    'reporters/text.ts',
    'reporters/markdown.ts',
    'checks/compose/interpolate.ts',
    'checks/compose/dotenv.ts',
    'checks/compose/ports.ts',
    'checks/discovery.ts',
    'checks/ex3/cluster.ts',
    'checks/ex6/deployments.ts',
    'checks/ex6/services.ts',
    'checks/ex6/e2e.ts',
    'checks/kube/greetings.ts',
    'checks/kube/helm.ts',
    'checks/ex7/helm.ts',
    'bundle/ascii-width.ts',
  ],
  // Static mutants (active only while a module loads) are not run: see README, Mutation testing.
  ignoreStatic: true,
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
