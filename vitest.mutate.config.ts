import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests a mutation run uses (see stryker.config.mjs): the unit tests beside the mutated modules.
 * The scenario suites grade every check against a simulated student, so each would re-run for nearly
 * every mutant (hours on two cores); they stay in `npm test`.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['checks/**/*.test.ts', 'core/**/*.test.ts', 'reporters/**/*.test.ts', 'probes/addresses.test.ts', 'probes/net.test.ts', 'test/security/network.test.ts', 'bundle/ascii-width.test.ts'],
    exclude: [...(base.test?.exclude ?? []), 'checks/*.scenarios.test.ts', 'core/class-run.test.ts', 'reporters/html.browser.test.ts'],
  },
});
