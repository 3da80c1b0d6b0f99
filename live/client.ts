/**
 * The dashboard page's only script, served as `/live.js` (the page's Content-Security-Policy allows no
 * other). It listens to `/events` and swaps in the rows and the summary the server rendered (escaped
 * there), sorts rows without a reload, and reloads a student's page when that student is graded again.
 *
 * `liveClient` runs in the browser: it is sent as its own source text, so it may use nothing from
 * outside its body.
 */
export function liveClient(): void {
  const root = document.documentElement;
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const query = (extra: Record<string, string>) => {
    const p = new URLSearchParams(extra);
    if (token) p.set('token', token);
    return `?${p.toString()}`;
  };
  const page = root.dataset.page;
  const pageUser = root.dataset.user;
  const rows = document.getElementById('rows');
  const connection = document.getElementById('connection');
  const setConnection = (text: string, state: string) => {
    if (!connection) return;
    connection.textContent = text;
    connection.className = `connection ${state}`;
  };
  const fragment = (markup: string) => {
    const t = document.createElement('template');
    t.innerHTML = markup;
    return t.content;
  };

  let sort = params.get('sort') ?? 'roster';
  const num = (row: Element, key: string) => Number((row as HTMLElement).dataset[key] ?? 0);
  const orders: Record<string, (a: Element, b: Element) => number> = {
    roster: (a, b) => num(a, 'position') - num(b, 'position'),
    progress: (a, b) => num(a, 'waiting') - num(b, 'waiting') || num(b, 'done') - num(a, 'done') || num(b, 'score') - num(a, 'score') || num(a, 'position') - num(b, 'position'),
    idle: (a, b) => num(a, 'waiting') - num(b, 'waiting') || num(b, 'stuck') - num(a, 'stuck') || num(b, 'idle') - num(a, 'idle') || num(a, 'position') - num(b, 'position'),
  };
  const applySort = () => {
    if (!rows) return;
    const order = orders[sort] ?? orders.roster;
    const sorted = Array.from(rows.children).sort(order);
    if (sorted.some((row, i) => row !== rows.children[i])) rows.append(...sorted);
  };
  document.querySelectorAll<HTMLAnchorElement>('a.sort').forEach((link) => {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      sort = link.dataset.sort ?? 'roster';
      history.replaceState(null, '', link.href);
      document.querySelectorAll('a.sort').forEach((a) => a.classList.toggle('active', a === link));
      applySort();
    });
  });

  // The epoch stays in the stream's address: reconnecting to a restarted grader, the page is told to reload.
  const since = root.dataset.version ?? '0';
  const events = new EventSource(`/events${query({ since, ...(root.dataset.epoch ? { epoch: root.dataset.epoch } : {}) })}`);
  events.addEventListener('open', () => setConnection('live', 'on'));
  events.addEventListener('error', () => setConnection('reconnecting…', 'off'));
  events.addEventListener('reset', () => location.reload());
  events.addEventListener('student', (event) => {
    const delta = JSON.parse((event as MessageEvent<string>).data) as { version: number; user: string; row: string };
    root.dataset.version = String(delta.version);
    if (page === 'student') {
      if (delta.user === pageUser) location.reload();
      return;
    }
    const fresh = fragment(delta.row).firstElementChild;
    if (!fresh || !rows) return;
    const old = document.getElementById(`row-${delta.user}`);
    if (old) old.replaceWith(fresh);
    else rows.append(fresh);
    fresh.classList.add('flash');
    applySort();
  });
  events.addEventListener('summary', (event) => {
    const summary = JSON.parse((event as MessageEvent<string>).data) as { html: string; updated: string };
    document.getElementById('summary')?.replaceChildren(fragment(summary.html));
    document.getElementById('updated')?.replaceChildren(fragment(summary.updated));
  });
}
