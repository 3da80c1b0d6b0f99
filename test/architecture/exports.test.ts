/**
 * Production code exports what production code imports. A value that only tests import is a seam
 * for them, and it is listed here, in one place, with why; anything else only tests import, or
 * nothing imports, is an export too many (drop the `export`, or test through what production uses).
 */
import { describe, expect, it } from 'vitest';
import { valueExportUsers } from './exports.js';

/** Imports from these are tests' (tooling such as bench/, bundle/ and docs/ counts as production). */
const isTest = (f: string) => f.endsWith('.test.ts') || f.startsWith('test/') || f.startsWith('fixtures/');
const PRODUCTION = ['bin', 'app', 'core', 'checks', 'probes', 'reporters', 'sandbox', 'live'];

/** The seams: exported for tests only, by file. */
const TEST_SEAMS: Record<string, readonly string[]> = {
  // Bounds and policies the security tests push against, named once so a test cannot drift from them.
  'app/heap.ts': ['HEAP_GROWTH_FLAGS'],
  'checks/compose/read.ts': ['MAX_PROBLEM_CHARS'],
  'core/student-text.ts': ['RESULT_TEXT_LIMITS'],
  'probes/kube/capped-http.ts': ['KUBE_ANSWER_LIMITS'],
  'probes/kube/dispatcher.ts': ['KUBE_CONNECTIONS'],
  'probes/kube/helm-release.ts': ['HELM_DECODE_LIMITS', 'decodeHelm3Secret', 'decodeHelm2ConfigMap'],
  'probes/kube/rights.ts': ['GRADER_READS'],
  'probes/net.ts': ['NetworkRefused', 'VERDICTS_KEPT'],
  'reporters/html.ts': ['CONTENT_SECURITY_POLICY', 'formatGeneratedAt', 'renderHtml'],
  'live/server.ts': ['LIVE_CONTENT_SECURITY_POLICY', 'isLoopbackHost', 'refusalText'],
  // Pure readers and rules tested on their own inputs; production reaches them through a check or a probe.
  'app/grading.ts': ['loginHint', 'partialExitCode'],
  'app/io.ts': ['warningLine'],
  'app/resume-command.ts': ['rerunIncompleteCommand', 'reportFiles', 'rerunUsersCommand'],
  'app/selfcheck/detect.ts': ['REACH'],
  'app/selfcheck/sandbox-link.ts': ['SELFCHECK_FILE'],
  'checks/compose/repo.ts': ['mergeOverride'],
  'checks/ex2/served.ts': ['START_PAGE_MARKER'],
  'checks/kube/events.ts': ['eventsFor'],
  'checks/kube/helm.ts': ['latestRevisions'],
  'checks/kube/nodes.ts': ['isNodeReady'],
  'checks/kube/pods.ts': ['ownerOf'],
  'checks/kube/pull.ts': ['pullCause'],
  'core/engine.ts': ['checkDeadlineMs'],
  'core/journal.ts': ['gradingDifference', 'checkJournalLab'],
  'core/shard.ts': ['shardOf'],
  'live/credit.ts': ['recordEntry', 'scoreCredit'],
  'live/follow.ts': ['compileGlob'],
  'live/ledger.ts': ['readLedger'],
  'live/state.ts': ['exerciseColumns'],
  'probes/azure/choose-cluster.ts': ['grantText', 'pullGrantsOf'],
  'probes/azure/map.ts': ['registerKubeconfigSecrets'],
  'probes/azure/policies.ts': ['retryAfterMs'],
  'probes/azure/roles.ts': ['roleGuid'],
  // Each format's renderer, which its reporter (what production creates, by name) only writes out.
  'reporters/checklist.ts': ['renderChecklist'],
  'reporters/csv.ts': ['FIXED_COLUMNS', 'ERRORS_COLUMN', 'CREDIT_COLUMN', 'csvCell', 'renderCsv'],
  'reporters/html/markup.ts': ['escapeHtml'],
  'reporters/html/stats.ts': ['passRate'],
  'reporters/html/student.ts': ['studentAnchor'],
  'reporters/index.ts': ['REPORTERS'],
  'reporters/json.ts': ['toJsonDocument', 'writeJson', 'renderJson'],
  'reporters/junit.ts': ['renderJunit'],
  'reporters/markdown.ts': ['escapeCell', 'richCell', 'codeBlock', 'renderMarkdown'],
  'reporters/progress.ts': ['ProgressReporter'],
  // The simulated lab's pieces that tests build inputs with or start alone.
  'sandbox/app/greetings.ts': ['escapeHtml', 'apiBase', 'KeepAlivePool'],
  'sandbox/arm/server.ts': ['STATIC_CALLER'],
  'sandbox/arm/resources.ts': ['repositoryCondition'],
  'sandbox/entra/rights.ts': ['AZURE_RBAC_DENIED'],
  'sandbox/kube/helm.ts': ['helm2ReleaseProto', 'helm2ConfigMapData', 'helmRecord'],
  'sandbox/lab.ts': ['SANDBOX_SUBSCRIPTION', 'externalIpFor'],
  'sandbox/listen.ts': ['localPortsSnapshot'],
  'sandbox/registry/errors.ts': ['parseChallenge'],
  'sandbox/scenario.ts': ['parseScenario'],
};

const listed = (table: Record<string, readonly string[]>) => Object.entries(table).flatMap(([file, names]) => names.map((n) => `${file}#${n}`));

describe('exports', () => {
  const users = valueExportUsers();
  const production = [...users].filter(([key]) => PRODUCTION.includes(key.split('/')[0]) && !isTest(key.split('#')[0]));
  const testOnly = production.filter(([, by]) => by.size > 0 && [...by].every(isTest)).map(([key]) => key);
  const unused = production.filter(([, by]) => by.size === 0).map(([key]) => key);

  it('production code imports every value production code exports, but the listed test seams', () => {
    expect(testOnly.filter((k) => !listed(TEST_SEAMS).includes(k)).sort()).toEqual([]);
    expect(unused.sort()).toEqual([]);
  });

  it('lists only what is still so: a seam production now uses, or one gone, leaves the list', () => {
    expect(listed(TEST_SEAMS).filter((k) => !testOnly.includes(k))).toEqual([]);
  });

  it('follows imports, re-exports and dynamic imports to the value (the reader itself)', () => {
    // renderJson: imported by tests only; createReporter: through reporters/index.ts by app/; the
    // registry probe's facts: re-exported by probes/registry/index.ts and imported dynamically.
    const renderJsonUsers = [...users.get('reporters/json.ts#renderJson')!];
    expect(renderJsonUsers.length).toBeGreaterThan(0);
    expect(renderJsonUsers.filter((f) => !isTest(f))).toEqual([]);
    expect(users.get('reporters/index.ts#createReporter')).toContain('app/grading.ts');
    expect(users.get('probes/registry/credentials.ts#registryFactsFrom')).toContain('probes/environment.ts');
  });
}, 120_000);
