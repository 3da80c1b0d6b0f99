/**
 * The dashboard of a running `lab-grade live` (the real CLI grading the simulated lab) in a real
 * headless Chromium: the grid of the class, a cell that changes without a reload within a second of
 * the result being written when the lab changes between rounds, and a student's page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../test/support/chromium.js';
import { gridFit, lastColumnSeen } from '../test/support/grid-fit.js';
import { afterExercise7Step2, killLeftovers, ledgerLines, startLive, startWorkshop, type Workshop } from '../test/support/live-workshop.js';

requireChromium();

const ARTIFACTS = packagePath('test-artifacts');
/** The built-in class: every kind of student the simulated lab knows. */
const CLASS = [
  '01-perfect.yaml',
  '02-helm3.yaml',
  '03-helm2-tiller.yaml',
  '04-no-port-mapping.yaml',
  '05-no-role-assignment.yaml',
  '06-loadbalancer-pending.yaml',
  '07-three-api-replicas.yaml',
  '08-barely-started.yaml',
  '09-vm-trouble.yaml',
  '10-no-vm-cluster-creating.yaml',
  '11-helm3-broken-registry.yaml',
];

let workshop: Workshop;
let browser: Browser;

describe('the dashboard of a running lab-grade live, in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [workshop, browser] = await Promise.all([startWorkshop(CLASS), chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })]);
  }, 90_000);
  afterAll(async () => {
    killLeftovers();
    await browser?.close();
    await workshop?.stop();
  });

  it('shows the class, changes a cell without a reload when a round grades the changed lab, and opens a student', async () => {
    const ledger = join(workshop.dir, 'browser.jsonl');
    // Round 1 ends before round 2 is due, even on a busy machine: the lab changes in between.
    const live = startLive(['live', '-c', workshop.configFile, '--interval', '15', '--port', '0', '--ledger', ledger]);
    const [, url] = await live.waitFor(/^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    await live.waitFor(/^Round 1: 11 students graded/m, 60_000);

    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (e) => void consoleErrors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector('#connection.on');
    const users = await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    expect(users).toEqual(['labuser01', 'labuser02', 'labuser03', 'labuser04', 'labuser05', 'labuser06', 'labuser07', 'labuser08', 'labuser09', 'labuser10', 'labuser11']);
    const helmCell = page.locator('[id="row-labuser01"] td.cell').nth(6);
    expect(await helmCell.innerText()).toMatch(/^○ not started/);
    expect(await page.locator('[id="row-labuser01"] td.cell').nth(5).innerText()).toMatch(/^✓ done/);

    // Remember when the Exercise 7 cell changes, in the page itself; and that the page is never reloaded.
    await page.evaluate(() => {
      const w = window as unknown as { __sameDocument: boolean; __changedAt?: number };
      w.__sameDocument = true;
      new MutationObserver(() => {
        const text = document.querySelector('[id="row-labuser01"] td.cell:nth-of-type(7)')?.textContent ?? '';
        if (w.__changedAt === undefined && text.includes('bonus not earned')) w.__changedAt = Date.now();
      }).observe(document.getElementById('rows')!, { childList: true, subtree: true, characterData: true });
    });
    workshop.change('labuser01', afterExercise7Step2);
    await live.waitFor(/^Round 2: 11 students graded/m, 60_000);
    await page.waitForFunction(() => document.querySelector('[id="row-labuser01"] td.cell:nth-of-type(7)')?.textContent?.includes('bonus not earned'), undefined, { timeout: 2000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    const changedAt = await page.evaluate(() => (window as unknown as { __changedAt: number }).__changedAt);
    const written = Date.parse(ledgerLines(ledger).find((l) => l.round === 2 && l.student.user === 'labuser01')!.at);
    expect(changedAt - written).toBeLessThan(1000);
    // The failed Helm install: Exercise 7 is bonus only, so it reads as every report reads it (its state in /api/class: failing).
    expect(await helmCell.innerText()).toMatch(/^○ bonus not earned/);
    // Exercise 6 keeps its earned credit, marked as torn down now.
    expect(await page.locator('[id="row-labuser01"] td.cell').nth(5).innerText()).toMatch(/✓ done[\s\S]*⚠ not now/);
    await page.waitForFunction(() => document.querySelectorAll('#summary .series g.point').length === 2, undefined, { timeout: 3000 });
    // The whole grid of the real class is seen at 1500 px, the "No progress" column included.
    expect(lastColumnSeen(await gridFit(page))).toBe(true);
    // The README's picture (docs/live-dashboard.png) is this screenshot: copy it there after this test runs.
    await page.screenshot({ path: join(ARTIFACTS, 'live-dashboard.png'), fullPage: true });

    await page.locator('[id="row-labuser01"] th a').click();
    await page.waitForURL(/\/student\/labuser01$/);
    expect(await page.locator('h1').innerText()).toBe('labuser01');
    const service = page.locator('tr', { has: page.locator('code', { hasText: 'ex6.myapp.service' }) });
    expect(await service.innerText()).toMatch(/earned \d\d:\d\d, failing now: Service myapp is gone: Exercise 7 step 2 deletes the Services/);
    expect(await service.locator('.earned').innerText()).toMatch(/^Earned .* \(round 1\); now ✗ FAIL$/);
    await page.screenshot({ path: join(ARTIFACTS, 'live-command-student.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();

    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(130);
  }, 180_000);
});
