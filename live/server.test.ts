import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExerciseState } from '../core/progress.js';
import { ABSENT, IDS, PROFILE, at, exercisesPassing, student } from '../test/support/live-class.js';
import { refusalText, startLiveServer, LIVE_CONTENT_SECURITY_POLICY, type LiveServer } from './server.js';
import { ClassState, type ClassSummary } from './state.js';

const schema = JSON.parse(readFileSync(new URL('./class-state.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);

const HOSTILE = '<img src=x onerror=alert(1)>';
const EX1_TO_6 = exercisesPassing(1, 2, 3, 4, 5, 6).filter((id) => id !== 'ex6.selfheal');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with the given method and headers, read whole. */
function fetchRaw(base: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An open /events stream: its parsed events as they come. */
function openEvents(base: string, path: string, headers: Record<string, string> = {}) {
  const events: Array<{ id?: string; event: string; data: string; at: number }> = [];
  let buffer = '';
  let res: import('node:http').IncomingMessage | undefined;
  const req = request(new URL(path, base), { headers }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
        );
        if (fields.event || fields.data) events.push({ id: fields.id, event: fields.event ?? 'message', data: fields.data ?? '', at: Date.now() });
      }
    });
  });
  req.end();
  const waitFor = async (count: number, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return events;
  };
  const opened = new Promise<void>((resolve) => req.on('response', () => resolve()));
  return { events, waitFor, opened, close: () => (res?.destroy(), req.destroy()), status: () => res?.statusCode };
}

let servers: LiveServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(state: ClassState, opts: { host?: string; token?: string } = {}): Promise<LiveServer> {
  const server = await startLiveServer({ state, summaryEveryMs: 50, ...opts });
  servers.push(server);
  return server;
}

function classOf(roster = ['ann', HOSTILE, 'bob']) {
  return new ClassState({ profile: PROFILE, roster, clock: (iso) => iso.slice(11, 16), absent: ABSENT });
}

describe('live dashboard server', () => {
  it('serves the grid in roster order, escaped, with its Content-Security-Policy and nothing but GET and HEAD', async () => {
    const state = classOf();
    state.ingest({
      round: 1,
      at: at(1),
      student: student(HOSTILE, exercisesPassing(1), { 'ex2.repo.cloned': { status: 'fail', message: `<script>alert(2)</script>`, hint: 'Exercise 2 step 1: git clone …' } }),
    });
    const server = await serve(state);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetchRaw(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(LIVE_CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.indexOf('row-ann')).toBeLessThan(page.body.indexOf('row-&lt;img'));
    expect(page.body.indexOf('row-&lt;img')).toBeLessThan(page.body.indexOf('row-bob'));
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<script>alert(2)');
    expect(page.body).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page.body).toContain('Exercise 2 step 1: git clone …');
    // The only script is the served one.
    expect(page.body.match(/<script/g)).toEqual(['<script']);
    expect(page.body).toContain('<script src="/live.js" defer></script>');
    const js = await fetchRaw(server.url, '/live.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('new EventSource');
    expect((await fetchRaw(server.url, '/', { method: 'HEAD' })).body).toBe('');
    const post = await fetchRaw(server.url, '/', { method: 'POST' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await fetchRaw(server.url, '/nothing')).status).toBe(404);
  });

  it('GET /api/class answers the class state, valid against live/class-state.schema.json, in the order asked for', async () => {
    const state = classOf(['ann', 'bob', 'cy']);
    const server = await serve(state);
    const empty = JSON.parse((await fetchRaw(server.url, '/api/class')).body) as unknown;
    expect(validate(empty), JSON.stringify(validate.errors)).toBe(true);
    state.ingest({ round: 1, at: at(0), student: student('ann', exercisesPassing(1)) });
    state.ingest({ round: 1, at: at(1), student: student('bob', EX1_TO_6) });
    state.ingest({ round: 2, at: at(30), student: student('ann', exercisesPassing(1), { 'ex3.cluster.exists': 'error' }) });
    state.ingest({
      round: 2,
      at: at(31),
      student: student(
        'bob',
        EX1_TO_6.filter((id) => !id.includes('service')),
      ),
    });
    state.ingest({ round: 2, at: at(32), student: student('walk-in', []) });
    state.ingest({ round: 2, at: at(33), student: student('cy', [], Object.fromEntries(IDS.map((id) => [id, 'skipped' as const]))) });
    const answer = await fetchRaw(server.url, '/api/class?sort=progress');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(answer.body) as { students: Array<{ user: string }>; series: unknown[]; graded: number; version: number };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.students.map((s) => s.user)).toEqual(['bob', 'ann', 'cy', 'walk-in']);
    expect([doc.graded, doc.version, doc.series.length]).toEqual([4, 6, 2]);
    // Every exercise state a cell can take is in the schema (an exhaustive list: a new state fails to compile here).
    const STATES: Record<ExerciseState, true> = { done: true, 'in progress': true, failing: true, waiting: true, 'not started': true, 'not checked': true, 'not gradable': true };
    const cellSchema = (schema as { $defs: { cell: { properties: { state: { enum: string[] } } } } }).$defs.cell.properties.state.enum;
    expect([...cellSchema].sort()).toEqual(Object.keys(STATES).sort());
    const shown = new Set(doc.students.flatMap((s) => (s as unknown as { cells: Array<{ state: string }> }).cells.map((c) => c.state)));
    expect(shown).toEqual(new Set(['done', 'failing', 'waiting', 'not started', 'not checked', 'not gradable']));
    // The schema is strict: a field it does not describe fails.
    const drifted = { ...(doc as object), students: [{ ...doc.students[0], extra: 1 }] };
    expect(validate(drifted)).toBe(false);
  });

  it("a student's page has every check with its message, hint, evidence and earned time", async () => {
    const state = classOf(['ann']);
    state.ingest({
      round: 1,
      at: at(42),
      student: student('ann', EX1_TO_6, { 'ex6.myapp.service': { status: 'pass', message: 'LoadBalancer 80 → 8080 at 20.50.1.7', evidence: { externalIp: '20.50.1.7' } } }),
    });
    state.ingest({
      round: 2,
      at: at(70),
      student: student(
        'ann',
        EX1_TO_6.filter((id) => !/service|e2e/.test(id)),
        { 'ex6.myapp.service': { status: 'fail', message: 'Service myapp not found', hint: 'Exercise 6: kubectl apply -f myapp.yaml' } },
      ),
    });
    const server = await serve(state);
    const page = await fetchRaw(server.url, '/student/ann');
    expect(page.status).toBe(200);
    const text = page.body;
    expect(text).toContain('earned 10:42, failing now: Service myapp not found');
    expect(text).toContain('Earned <time datetime="2025-03-01T10:42:00.000Z">2025-03-01 10:42 UTC</time> (round 1); now <span class="badge tone-bad">✗ FAIL</span>');
    expect(text).toContain('Exercise 6: kubectl apply -f myapp.yaml');
    expect(text).toContain('&quot;externalIp&quot;: &quot;20.50.1.7&quot;');
    // Every check is named once (an exercise's plain passes share one row).
    const table = text.slice(text.indexOf('<table class="checks"'));
    for (const id of IDS) expect(table.split(`<code>${id}</code>`).length - 1, id).toBe(1);
    expect((await fetchRaw(server.url, `/student/${encodeURIComponent('nobody')}`)).status).toBe(404);
    expect((await fetchRaw(server.url, '/student/%E0%A4%A')).status).toBe(400);
  });

  it('asks for the token on every request when one is set, and makes one up for another host', async () => {
    const state = classOf();
    const guarded = await serve(state, { token: 's3cret-token' });
    expect(guarded.url).toBe(`${new URL(guarded.url).origin}/?token=s3cret-token`);
    for (const path of ['/', '/api/class', '/live.js', '/events', '/student/ann']) {
      const none = await fetchRaw(guarded.url, path);
      expect([none.status, none.body], path).toEqual([403, refusalText('no-token', undefined)]);
      const wrong = await fetchRaw(guarded.url, `${path}?token=s3cret-tokex`);
      expect([wrong.status, wrong.body], path).toEqual([403, refusalText('wrong-token', undefined)]);
      expect((await fetchRaw(guarded.url, `${path}?token=s3cret`)).status, path).toBe(403);
    }
    expect((await fetchRaw(guarded.url, '/api/class?token=s3cret-token')).status).toBe(200);
    expect((await fetchRaw(guarded.url, '/api/class', { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    // Links and the page's script carry the token.
    const page = (await fetchRaw(guarded.url, '/?token=s3cret-token')).body;
    expect(page).toContain('<script src="/live.js?token=s3cret-token" defer></script>');
    expect(page).toContain('href="/student/ann?token=s3cret-token"');

    const other = await serve(state, { host: '127.0.0.2' });
    expect(other.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(other.url).toBe(`http://127.0.0.2:${new URL(other.url).port}/?token=${other.token}`);
    expect((await fetchRaw(other.url, '/api/class')).status).toBe(403);
    expect((await fetchRaw(other.url, `/api/class?token=${other.token}`)).status).toBe(200);
  });

  it('without a token, answers requests addressed to a loopback name on any port (a tunnel, port 80), never another name (a rebound DNS name)', async () => {
    const server = await serve(classOf());
    const port = new URL(server.url).port;
    // Its own address; a tunnel's local port (ssh -L 9000:…, kubectl port-forward); port 80, which browsers leave out.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost:9000', '127.0.0.1:9000', '[::1]:9000', '127.0.0.1', 'localhost', 'LOCALHOST:8080', '127.0.0.2:8080']) {
      expect((await fetchRaw(server.url, '/api/class', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example:80', `evil.example:${port}`, 'evil.example', '127.0.0.1.evil.example', `localhost.evil.example:${port}`, '127.0.0.1@evil.example']) {
      const refused = await fetchRaw(server.url, '/api/class', { headers: { host } });
      expect([refused.status, refused.body], host).toEqual([403, refusalText('host', host)]);
    }
  });

  it('pushes each graded student as a row of its own within a second, then the summary; a reconnecting page catches up', async () => {
    const state = classOf(['ann', 'bob']);
    const server = await serve(state);
    const stream = openEvents(server.url, '/events?since=0');
    // The server takes the stream in as it answers: a result ingested after the answer reaches it.
    await stream.opened;
    const sentAt = Date.now();
    state.ingest({ round: 1, at: at(1), student: student('ann', exercisesPassing(1, 2)) });
    const [first, second] = await stream.waitFor(2);
    expect(first).toMatchObject({ id: '1', event: 'student' });
    expect(first.at - sentAt).toBeLessThan(1000);
    const delta = JSON.parse(first.data) as { version: number; user: string; row: string };
    expect(delta.user).toBe('ann');
    expect(delta.row).toMatch(/^<tr id="row-ann" class="row status-graded"/);
    expect(delta.row).not.toContain('row-bob');
    expect(second.event).toBe('summary');
    expect((JSON.parse(second.data) as { html: string }).html).toContain('Past each exercise');
    stream.close();

    state.ingest({ round: 1, at: at(2), student: student('bob', exercisesPassing(1)) });
    state.ingest({ round: 2, at: at(3), student: student('ann', exercisesPassing(1, 2, 3)) });
    const again = openEvents(server.url, '/events?since=0', { 'last-event-id': '1' });
    const caught = await again.waitFor(3);
    expect(caught.slice(0, 2).map((e) => [e.event, e.id, (JSON.parse(e.data) as { user: string }).user])).toEqual([
      ['student', '2', 'bob'],
      ['student', '3', 'ann'],
    ]);
    expect(caught[2].event).toBe('summary');
    again.close();
  });

  it('tells a page too far behind to reload, and close() ends open streams and frees the port', async () => {
    const state = new ClassState({ profile: PROFILE, roster: ['ann'], keepDeltas: 2 });
    for (let i = 1; i <= 5; i++) state.ingest({ round: i, at: at(i), student: student('ann', []) });
    const server = await startLiveServer({ state });
    const stream = openEvents(server.url, '/events?since=1');
    const [reset] = await stream.waitFor(1);
    expect(reset.event).toBe('reset');
    await server.close();
    await expect(fetchRaw(server.url, '/api/class')).rejects.toThrow(/ECONNREFUSED/);
    stream.close();
  });

  it('shows a round that could not be graded and shards not seen above the counts, pushed to open pages and to pages that come back', async () => {
    const state = classOf(['ann']);
    state.ingest({ round: 1, at: at(1), student: student('ann', exercisesPassing(1)) });
    const server = await serve(state);
    const stream = openEvents(server.url, '/events?since=1');
    await stream.opened;
    state.setOutage({ round: 2, at: at(5), message: 'the Azure identity could not get a token (AADSTS700082)' });
    state.setMissingShards(['2/3']);
    const [pushed] = await stream.waitFor(1);
    expect(pushed.event).toBe('summary');
    const banner = (markup: string) => [markup.includes('class="notice outage"'), markup.includes('class="notice shards"')];
    expect(banner((JSON.parse(pushed.data) as { html: string }).html)).toEqual([true, true]);
    expect(banner((await fetchRaw(server.url, '/')).body)).toEqual([true, true]);
    const doc = JSON.parse((await fetchRaw(server.url, '/api/class')).body) as ClassSummary;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect([doc.outage, doc.missingShards]).toEqual([{ round: 2, at: at(5), message: 'the Azure identity could not get a token (AADSTS700082)' }, ['2/3']]);
    // A page that was away (nothing new graded since) is told too.
    const back = openEvents(server.url, '/events?since=1', { 'last-event-id': '1' });
    expect((await back.waitFor(1))[0].event).toBe('summary');
    back.close();
    // A round graded again, every shard seen: the banners go.
    state.setOutage(null);
    state.setMissingShards([]);
    const events = await stream.waitFor(2);
    expect(banner((JSON.parse(events[1].data) as { html: string }).html)).toEqual([false, false]);
    stream.close();
  });

  it('tells a page of another run (an event id this state never reached) to reload: a restarted live on a new ledger, same port', async () => {
    const state = classOf(['ann']);
    state.ingest({ round: 1, at: at(1), student: student('ann', exercisesPassing(1)) });
    state.ingest({ round: 2, at: at(2), student: student('ann', exercisesPassing(1, 2)) });
    const server = await serve(state);
    // The old run's page had seen 7 results; this run has 2.
    const reconnected = openEvents(server.url, '/events?since=3', { 'last-event-id': '7' });
    const [first] = await reconnected.waitFor(1);
    expect(first.event).toBe('reset');
    reconnected.close();
    // A fresh page of the old run (no event seen yet, only the version it was rendered from).
    const fresh = openEvents(server.url, '/events?since=5');
    expect((await fresh.waitFor(1))[0].event).toBe('reset');
    fresh.close();
  });

  it('tells a page of another process to reload even when its event id is one this state reached: a live restarted on its ledger counts again', async () => {
    const state = classOf(['ann']);
    state.ingest({ round: 1, at: at(1), student: student('ann', exercisesPassing(1)) });
    state.ingest({ round: 2, at: at(2), student: student('ann', exercisesPassing(1, 2)) });
    const server = await serve(state);
    const other = state.epoch.replace(/./, (c) => (c === '0' ? '1' : '0'));
    // The page of the process before the restart had seen 1 and 2 of its own: the same numbers.
    for (const [query, lastSeen] of [
      [`since=1&epoch=${other}`, '2'],
      [`since=1&epoch=${other}`, '1'],
      [`since=2&epoch=${other}`, undefined],
    ] as const) {
      const stream = openEvents(server.url, `/events?${query}`, lastSeen ? { 'last-event-id': lastSeen } : {});
      expect((await stream.waitFor(1))[0].event, `${query} ${lastSeen}`).toBe('reset');
      stream.close();
    }
    // A page of this process catches up from where it was.
    const own = openEvents(server.url, `/events?since=1&epoch=${state.epoch}`);
    const [caught] = await own.waitFor(1);
    expect([caught.event, caught.id]).toEqual(['student', '2']);
    own.close();
    expect(new ClassState({ profile: PROFILE, roster: ['ann'] }).epoch).not.toBe(state.epoch);
  });
});
