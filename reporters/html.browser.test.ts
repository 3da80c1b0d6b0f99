/**
 * The HTML report in a real headless Chromium (Debian's /usr/bin/chromium through playwright-core):
 * opened from file:// with the network blocked, it must load with no console error and no request
 * beyond itself, show its charts and student sections, and keep every hostile string as text.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../core/model.js';
import { TITLE, loadClassSmall } from '../fixtures/results/support.js';
import { CONTENT_SECURITY_POLICY, renderHtml } from './html.js';
import { studentAnchor } from './html/student.js';
import { runInfoFor } from './replay.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../test/support/chromium.js';

const PWN = 'window.__pwned=1';
const HOSTILE = {
  user: `<img src=x onerror="${PWN}">`,
  message: `<script>${PWN}</script>`,
  hint: `</p><svg onload="${PWN}"></svg>`,
  title: '<style>body{display:none}</style>',
  // No double quotes: evidence is shown as JSON, which would escape them.
  evidence: `</pre><script>${PWN}</script><iframe src=http://127.0.0.1:9/>`,
};

function hostileRun(): RunResult {
  const run = loadClassSmall();
  const student = run.students[0];
  student.user = HOSTILE.user;
  const check = student.checks.find((c) => c.status === 'fail')!;
  Object.assign(check, { message: HOSTILE.message, hint: HOSTILE.hint, title: HOSTILE.title, evidence: { body: HOSTILE.evidence } });
  return run;
}

interface Opened {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  blocked: string[];
  dialogs: string[];
}

let dir: string;
let context: BrowserContext;
const files: Record<'small' | 'hostile' | 'filter', string> = { small: '', hostile: '', filter: '' };

/** labuser07 with everything required passing: nothing for the failures-only view to show of them. */
function oneWithoutFailures(): RunResult {
  const run = loadClassSmall();
  for (const c of run.students[0].checks) if (!c.bonus && c.status === 'fail') Object.assign(c, { status: 'pass', points: c.maxPoints });
  return run;
}

/** Opens a report with every non-file, non-data request aborted and recorded. */
async function open(file: string): Promise<Opened> {
  const page = await context.newPage();
  const opened: Opened = { page, consoleErrors: [], requests: [], blocked: [], dialogs: [] };
  page.on('console', (m) => void (m.type() === 'error' && opened.consoleErrors.push(m.text())));
  page.on('pageerror', (e) => void opened.consoleErrors.push(String(e)));
  page.on('request', (r) => void opened.requests.push(r.url()));
  page.on('requestfailed', (r) => void opened.blocked.push(`failed: ${r.url()}`));
  page.on('dialog', (d) => void opened.dialogs.push(d.message()));
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    opened.blocked.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return opened;
}

requireChromium();

describe('html report in headless Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-grade-html-'));
    const info = (run: RunResult) => runInfoFor(run, { title: TITLE, passMark: 70 });
    const small = loadClassSmall();
    const hostile = hostileRun();
    files.small = join(dir, 'class-small.html');
    files.hostile = join(dir, 'hostile.html');
    files.filter = join(dir, 'filter.html');
    writeFileSync(files.filter, renderHtml(oneWithoutFailures(), { info: info(oneWithoutFailures()) }));
    writeFileSync(files.small, renderHtml(small, { info: info(small) }));
    writeFileSync(files.hostile, renderHtml(hostile, { info: info(hostile) }));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error and requests nothing but itself', async () => {
    const { page, consoleErrors, requests, blocked, dialogs } = await open(files.small);
    expect(consoleErrors).toEqual([]);
    expect(blocked).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([pathToFileURL(files.small).href]);
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    const shot = join(dir, 'class-small.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    await page.close();
  });

  it('shows the pass-rate charts, the histogram and a student section', async () => {
    const { page } = await open(files.small);
    const charts = page.locator('#pass-rates svg.chart');
    expect(await charts.count()).toBe(2);
    const perCheck = charts.nth(1);
    expect(await perCheck.isVisible()).toBe(true);
    const box = await perCheck.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(29 * 20); // one row per check
    expect(await perCheck.locator('g.bar').count()).toBe(loadClassSmall().students[0].checks.length);
    expect(await page.locator('#histogram svg.chart g.bar').count()).toBe(10);
    // A vertical line has a zero-width box, which Playwright calls hidden: check its label.
    expect(await page.locator('#histogram .passmark-label', { hasText: 'pass mark 70%' }).isVisible()).toBe(true);

    // The matrix links to the student; following it scrolls the (collapsed) section into view, a click opens it.
    await page.locator('#matrix a', { hasText: 'labuser08' }).click();
    const section = page.locator('details#student-labuser08');
    expect(await section.isVisible()).toBe(true);
    // Scrolled into view (the page may end before the section reaches the top).
    const top = (await section.boundingBox())!.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(900 - 40);
    expect(await section.locator('tr.fail').first().isVisible()).toBe(false);
    await section.locator(':scope > summary').click();
    expect(await section.locator(':scope > summary .badge', { hasText: '✗ NOT PASSED' }).isVisible()).toBe(true);
    expect(await section.locator('tr.fail .badge', { hasText: 'FAIL' }).count()).toBe(2);
    expect(await section.locator('tr .badge', { hasText: 'bonus not earned' }).count()).toBe(3);
    await page.close();
  });

  it('shows only students with failures, and only their failing checks, once the filter is ticked (no script)', async () => {
    const { page } = await open(files.filter);
    const rows = page.locator('#matrix tr.row');
    expect(await rows.count()).toBe(3);
    await page.locator('label[for="failing-only"]').click();
    expect(await page.locator('#failing-only').isChecked()).toBe(true);
    const visibleRows = await rows.evaluateAll((rs) => rs.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.querySelector('a')!.textContent));
    expect(visibleRows).toEqual(['labuser08', 'labuser09']);
    expect(await page.locator('details#student-labuser07').isVisible()).toBe(false);
    const section = page.locator('details#student-labuser08');
    await section.locator(':scope > summary').click();
    expect(await section.locator('tr.fail').first().isVisible()).toBe(true);
    expect(await section.locator('tr.quiet').first().isVisible()).toBe(false);
    await page.locator('label[for="failing-only"]').click();
    expect(await page.locator('details#student-labuser07').isVisible()).toBe(true);
    await page.close();
  });

  it("renders a student's <script> as text", async () => {
    const { page } = await open(files.small);
    expect(await page.textContent('#student-labuser08')).toContain('<script>alert(1)</script>');
    expect(await page.$$('script')).toHaveLength(0);
    await page.close();
  });

  it('keeps hostile names, messages, hints, titles and evidence inert', async () => {
    const { page, consoleErrors, blocked, dialogs } = await open(files.hostile);
    // Open every evidence block, so anything hidden in one would have had its chance to run.
    for (const d of await page.$$('details')) await d.evaluate((el) => el.setAttribute('open', ''));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.$$('script, img, iframe, style:not(head style), [onerror], [onload]')).toHaveLength(0);
    const section = page.locator(`[id="${studentAnchor(HOSTILE.user).replace(/"/g, '\\"')}"]`);
    expect(await section.isVisible()).toBe(true);
    const text = (await section.textContent()) ?? '';
    for (const value of Object.values(HOSTILE)) expect(text).toContain(value);
    expect(await page.locator('body').isVisible()).toBe(true);
    await page.close();
  });
});
