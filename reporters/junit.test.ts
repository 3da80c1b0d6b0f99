import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadClassSmall, render } from '../fixtures/results/support.js';
import { countShown } from './format.js';
import type { RunInfo } from './types.js';

interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  properties: { property: Array<{ '@_name': string; '@_value': string }> };
  testcase: Array<{ '@_name': string; '@_classname': string; failure?: unknown; error?: unknown; skipped?: unknown }>;
}

async function parse(info?: Partial<RunInfo>): Promise<{ xml: string; suites: Suite[] }> {
  const xml = await render('junit', loadClassSmall(), info ? { info } : {});
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
  const doc = parser.parse(xml) as { testsuites: { testsuite: Suite[] } };
  return { xml, suites: doc.testsuites.testsuite };
}

describe('junit reporter', () => {
  it('writes well-formed XML', async () => {
    const { xml } = await parse();
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('has one testsuite per student and counts that match its testcases and the results', async () => {
    const run = loadClassSmall();
    const { suites } = await parse();
    expect(suites.map((s) => s['@_name'])).toEqual(run.students.map((s) => s.user));
    suites.forEach((suite, i) => {
      const counts = countShown(run.students[i].checks);
      const cases = suite.testcase;
      expect(cases).toHaveLength(Number(suite['@_tests']));
      expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(Number(suite['@_failures']));
      expect(cases.filter((c) => c.error !== undefined)).toHaveLength(Number(suite['@_errors']));
      expect(cases.filter((c) => c.skipped !== undefined)).toHaveLength(Number(suite['@_skipped']));
      expect(Number(suite['@_failures'])).toBe(counts.fail);
      expect(Number(suite['@_errors'])).toBe(counts.error);
      expect(Number(suite['@_skipped'])).toBe(counts.blocked + counts.skipped + counts['not-earned'] + counts.info);
    });
  });

  it('marks each student of a partial run (--only) partial, with no pass-mark verdict', async () => {
    const property = (suite: Suite, name: string) => suite.properties.property.find((p) => p['@_name'] === name)?.['@_value'];
    const whole = (await parse()).suites;
    expect(whole.map((s) => property(s, 'passed'))).toEqual(['true', 'false', 'true']);
    const { xml, suites } = await parse({ only: ['ex2', 'ex4'] });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(suites.map((s) => property(s, 'passed'))).toEqual(['partial', 'partial', 'partial']);
    expect(property(suites[0], 'summary')).toBe('31/34 points of the selected checks +3 bonus PARTIAL (only ex2 ex4): 2 failing, no pass-mark verdict');
    expect(xml).not.toMatch(/PASSED/);
  });

  it('does not turn a bonus not earned or an informational check red: skipped, with a message saying which', async () => {
    const { suites } = await parse();
    const registry = suites[0].testcase.find((c) => c['@_name'].startsWith('ex7.helm.registry'))!;
    expect(registry.failure).toBeUndefined();
    expect(registry.skipped).toMatchObject({ '@_message': expect.stringMatching(/^bonus not earned: the release greetings leaves registry at the chart's broken default azurezr\.io/) });
    expect(suites[0]['@_failures']).toBe('2');
    const tiller = suites[1].testcase.find((c) => c['@_name'].startsWith('ex7.tiller'))!;
    expect(tiller.skipped).toMatchObject({ '@_message': 'informational: blocked by ex3.cluster.exists' });
    // A 0-point prerequisite that blocks required checks is no "informational": its error stays an error.
    expect(suites[2].testcase.find((c) => c['@_name'].startsWith('ex1.vm.reachable'))!.error).toMatchObject({ '@_message': expect.stringMatching(/^could not grade: /) });
  });

  it('bounds a huge message and strips bidirectional overrides', async () => {
    const run = loadClassSmall();
    const check = run.students[1].checks.find((c) => c.status === 'fail')!;
    check.message = `evil\u202Egnp.exe ${'x'.repeat(200_000)}`;
    const { renderJunit } = await import('./junit.js');
    const xml = renderJunit(run);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('\u202E');
    expect(xml.length).toBeLessThan(60_000);
    expect(xml).toMatch(/x… \(\d{6} more characters\)/);
  });

  it('names a testcase by exercise and by id and title', async () => {
    const { suites } = await parse();
    const e2e = suites[0].testcase.find((c) => c['@_name'].startsWith('ex6.app.e2e'));
    expect(e2e?.['@_classname']).toBe('ex6');
    expect(e2e?.['@_name']).toBe('ex6.app.e2e — The app works through the external IP');
  });

  it('escapes student-controlled text: <script> stays text, ]]> and control characters cannot break it', async () => {
    const { xml } = await parse();
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('\u0007');
    // Parsed back, the hostile string is an attribute value, not an element.
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as unknown;
    expect(JSON.stringify(parsed)).not.toContain('"script"');
    expect(JSON.stringify(parsed)).toContain('<script>alert(1)</script>|80]]>:8080');
  });

  it('drops characters XML 1.0 forbids, even in user names', async () => {
    const run = loadClassSmall();
    run.students[0].user = 'bad\u0000user\u001b[31m\uFFFE';
    run.students[0].checks[0].message = 'lone surrogate \uD800 here';
    run.students[0].checks[0].status = 'fail';
    const { renderJunit } = await import('./junit.js');
    const xml = renderJunit(run);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('name="baduser[31m"');
  });
});
