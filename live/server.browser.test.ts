/**
 * The live dashboard in a real headless Chromium (Debian's, through playwright-core): the grid with the
 * roster, a graded result changing a cell without a reload (within a second), sorting, a student's page,
 * the token, hostile names kept inert through live updates, and no request beyond the dashboard itself.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../core/paths.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../test/support/chromium.js';
import { gridFit, lastColumnSeen } from '../test/support/grid-fit.js';
import { ABSENT, IDS, PROFILE, at, exercisesPassing, student, workshop } from '../test/support/live-class.js';
import { startLiveServer, type LiveServer } from './server.js';
import { ClassState } from './state.js';

requireChromium();

const ARTIFACTS = packagePath('test-artifacts');
let browser: Browser;
let servers: LiveServer[] = [];

interface Opened {
  page: Page;
  consoleErrors: string[];
  /** Requests that left the dashboard's origin (aborted). */
  foreign: string[];
}

async function open(url: string, origin = new URL(url).origin): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const opened: Opened = { page, consoleErrors: [], foreign: [] };
  page.on('console', (m) => void (m.type() === 'error' && opened.consoleErrors.push(m.text())));
  page.on('pageerror', (e) => void opened.consoleErrors.push(String(e)));
  await page.route('**', (route) => {
    const target = route.request().url();
    if (target.startsWith(origin) || target.startsWith('data:')) return route.continue();
    opened.foreign.push(target);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}

/** The workshop after its first `rounds` rounds. */
function workshopState(rounds: number) {
  const w = workshop();
  const state = new ClassState({ profile: PROFILE, roster: w.roster, stuckAfterMinutes: 15, absent: ABSENT });
  for (const round of w.rounds.slice(0, rounds)) for (const entry of round) state.ingest(entry);
  return { state, roster: w.roster, next: w.rounds.slice(rounds) };
}

/** `built`: the compiled server of dist/, whose page script is what tsc emitted (what users run). */
async function serve(state: ClassState, token?: string, built = false): Promise<LiveServer> {
  const start = built ? ((await import(packagePath('dist', 'live', 'server.js'))) as typeof import('./server.js')).startLiveServer : startLiveServer;
  const server = await start({ state, token, summaryEveryMs: 100 });
  servers.push(server);
  return server;
}

const cellText = (page: Page, user: string, exercise: number) =>
  page
    .locator(`[id="row-${user}"] td.cell`)
    .nth(exercise - 1)
    .innerText();

describe('live dashboard in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the grid with the roster, the funnel and the chart, with no console error and no request elsewhere', async () => {
    const { state, roster, next } = workshopState(3);
    for (const entry of next[0]) state.ingest(entry);
    const server = await serve(state);
    const { page, consoleErrors, foreign } = await open(server.url);
    await page.waitForSelector('#connection.on');
    expect(await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))).toEqual(roster);
    expect(await cellText(page, 'labuser07', 7)).toMatch(/^✓ done\n?\+3\/3$/);
    expect(await cellText(page, 'labuser02', 2)).toMatch(/^✗ failing\n?3\/5$/);
    expect(await cellText(page, 'labuser09', 5)).toMatch(/^◐ in progress\n?2\/4$/);
    expect(await cellText(page, 'labuser06', 3)).toMatch(/^✗ failing\n?3\/4$/);
    expect(await cellText(page, 'labuser05', 1)).toBe('– not checked');
    expect(await page.locator('[id="row-labuser05"] .sub').innerText()).toBe('waiting for the first grading');
    // Exercise 7 step 2 tore down labuser01's Services: earned, and marked as not there now.
    expect(await cellText(page, 'labuser01', 6)).toMatch(/✓ done[\s\S]*⚠ not now/);
    expect(await page.locator('[id="row-labuser02"] .badge', { hasText: 'stuck' }).isVisible()).toBe(true);
    expect(await page.locator('[id="row-labuser02"] td.next').innerText()).toContain('Exercise 2 step 4: set ports to "80:8080"');
    expect(await page.locator('#summary svg.chart').count()).toBe(2);
    expect(await page.locator('#summary .series g.point').count()).toBe(4);
    expect(await page.locator('#summary .card .value').first().innerText()).toBe('11/12');
    await page.screenshot({ path: join(ARTIFACTS, 'live-state-dashboard.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('a graded result changes its cell within a second, without a reload, and the summary follows', async () => {
    const { state } = workshopState(2);
    const server = await serve(state);
    const { page, consoleErrors } = await open(server.url);
    await page.waitForSelector('#connection.on');
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    expect(await cellText(page, 'labuser08', 2)).toMatch(/^○ not started/);
    const graded = Date.now();
    state.ingest({ round: 3, at: at(30), student: student('labuser08', exercisesPassing(1, 2)) });
    await page.waitForFunction(() => document.querySelector('[id="row-labuser08"] td.cell:nth-of-type(2)')?.textContent?.includes('done'), undefined, { timeout: 1000 });
    expect(Date.now() - graded).toBeLessThan(1000);
    expect(await cellText(page, 'labuser08', 2)).toMatch(/^✓ done/);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('#summary .series g.point').length === 3, undefined, { timeout: 2000 });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('a page left open across a restart of the grader on the same port reloads into the new state, though the event ids are the same', async () => {
    // Before: earned credit. After the restart (same ledger, so the same number of results read back): final.
    const { state } = workshopState(4);
    const first = await serve(state);
    const { page, consoleErrors } = await open(first.url);
    await page.waitForSelector('#connection.on');
    expect(await cellText(page, 'labuser01', 6)).toMatch(/^✓ done/);
    const port = Number(new URL(first.url).port);
    await first.close();
    servers = servers.filter((s) => s !== first);
    await page.waitForSelector('#connection.off');

    const w = workshop();
    const restarted = new ClassState({ profile: PROFILE, roster: w.roster, stuckAfterMinutes: 15, mode: 'final', absent: ABSENT });
    for (const round of w.rounds.slice(0, 4)) for (const entry of round) restarted.ingest(entry);
    expect(restarted.version).toBe(state.version);
    servers.push(await startLiveServer({ state: restarted, port, summaryEveryMs: 100 }));
    // The browser reconnects by itself (retry: 2 s) and is told to reload: the grid is the new process's.
    await page.waitForFunction((epoch) => document.documentElement.dataset.epoch === epoch, restarted.epoch, { timeout: 10_000 });
    await page.waitForSelector('#connection.on');
    expect(await cellText(page, 'labuser01', 6)).toMatch(/^✗ failing/);
    expect(await page.locator('dl.meta').innerText()).toContain('final (the latest grading only)');
    expect(consoleErrors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
    await page.close();
  });

  it('fits the grid of 11 students and 7 exercises at 1280 and 1500 px: its last column ends inside the viewport and inside its scrolling box, unscrolled', async () => {
    const w = workshop();
    const roster = w.roster.slice(0, 11);
    const state = new ClassState({ profile: PROFILE, roster, stuckAfterMinutes: 15, absent: ABSENT });
    for (const round of w.rounds) for (const entry of round) if (roster.includes(entry.student.user)) state.ingest(entry);
    const server = await serve(state);
    for (const width of [1280, 1500]) {
      const page = await browser.newPage({ viewport: { width, height: 1000 } });
      await page.goto(server.url, { waitUntil: 'load' });
      const grid = await gridFit(page);
      expect(grid).toMatchObject({ exercises: 7, rows: 11, viewport: width });
      expect(grid.lastHeading).toMatch(/^no progress$/i);
      expect(lastColumnSeen(grid), `at ${width} px: ${JSON.stringify(grid)}`).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `live-grid-${width}.png`), fullPage: true });
      await page.close();
    }
  });

  it('sorts by progress and by time since the last progress without a reload', async () => {
    const { state } = workshopState(4);
    const server = await serve(state);
    const { page } = await open(server.url);
    const order = () => page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    await page.locator('a.sort', { hasText: 'progress' }).first().click();
    const byProgress = await order();
    expect(byProgress.slice(0, 2)).toEqual(['labuser07', 'labuser01']);
    expect(byProgress.at(-1)).toBe('labuser05');
    expect(page.url()).toContain('sort=progress');
    await page.locator('a.sort', { hasText: 'time since last progress' }).click();
    const byIdle = await order();
    const stuck = await page.locator('#rows tr.stuck').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    expect(stuck.length).toBeGreaterThan(0);
    expect(byIdle.slice(0, stuck.length).sort()).toEqual([...stuck].sort());
    // The server gives the same order to a page loaded with it.
    const fresh = await open(`${server.url}?sort=idle`);
    expect(await fresh.page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')))).toEqual(byIdle);
    await fresh.page.close();
    await page.close();
  });

  it("opens a student's page from the grid, with every check, its hint, evidence and earned time", async () => {
    const { state } = workshopState(4);
    const server = await serve(state);
    const { page, consoleErrors } = await open(server.url);
    await page.locator('[id="row-labuser01"] th a').click();
    await page.waitForURL(/\/student\/labuser01$/);
    expect(await page.locator('h1').innerText()).toBe('labuser01');
    // Every check is named once in the table (an exercise's plain passes share one row).
    const named = await page.locator('table.checks tbody code').allInnerTexts();
    expect([...named].sort()).toEqual([...IDS].sort());
    const service = page.locator('tr', { has: page.locator('code', { hasText: 'ex6.myapp.service' }) });
    expect(await service.innerText()).toContain(
      'earned 10:24, failing now: Service myapp not found in namespace default'.replace('10:24', await page.evaluate(() => new Date('2025-03-01T10:24:00.000Z').toTimeString().slice(0, 5))),
    );
    expect(await service.locator('.earned').innerText()).toBe('Earned 2025-03-01 10:24 UTC (round 3); now ✗ FAIL');
    await service.locator('summary', { hasText: 'Evidence' }).click();
    expect(await service.locator('pre.evidence').innerText()).toContain('ex6.myapp.service at pass');
    await page.screenshot({ path: join(ARTIFACTS, 'live-student.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('needs the token when one is set, and works with it (the built server)', async () => {
    const { state } = workshopState(1);
    const server = await serve(state, 'open-sesame-0123456789', true);
    const without = await open(server.url.replace(/\?token=.*$/, ''));
    expect(await without.page.locator('body').innerText()).toContain('forbidden');
    expect(await without.page.locator('#rows').count()).toBe(0);
    await without.page.close();
    const { page, consoleErrors } = await open(server.url);
    await page.waitForSelector('#connection.on');
    state.ingest({ round: 2, at: at(20), student: student('labuser08', exercisesPassing(1, 2)) });
    await page.waitForFunction(() => document.querySelector('[id="row-labuser08"] td.cell:nth-of-type(2)')?.textContent?.includes('done'), undefined, { timeout: 1000 });
    await page.locator('[id="row-labuser03"] th a').click();
    await page.waitForURL(/\/student\/labuser03\?token=open-sesame-0123456789$/);
    expect(await page.locator('h1').innerText()).toBe('labuser03');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('keeps a hostile student name and messages inert, also when they arrive live', async () => {
    const HOSTILE = '<img src=x onerror="window.__pwned=1">';
    const state = new ClassState({ profile: PROFILE, roster: ['ann', HOSTILE] });
    const server = await serve(state);
    const { page, foreign } = await open(server.url);
    await page.waitForSelector('#connection.on');
    state.ingest({
      round: 1,
      at: at(1),
      student: student(HOSTILE, [], { 'ex1.vm.reachable': { status: 'fail', message: '<script>window.__pwned=2</script>', hint: '<svg onload="window.__pwned=3"></svg>' } }),
    });
    await page.waitForFunction(() => document.querySelector('#rows tr:nth-child(2)')?.classList.contains('status-graded'), undefined, { timeout: 1000 });
    const row = page.locator('#rows tr').nth(1);
    expect(await row.locator('th a').innerText()).toBe(HOSTILE);
    expect(await row.locator('td.next').innerText()).toContain('<script>window.__pwned=2</script>');
    expect(await page.$$('#rows img, #rows script, #rows svg, [onerror], [onload]')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await row.locator('th a').click();
    await page.waitForSelector('h1');
    expect(await page.locator('h1').innerText()).toBe(HOSTILE);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(foreign).toEqual([]);
    await page.close();
  });
});
