/**
 * The greetings app (github.com/cadullms/greetings; docs/lab.md) re-implemented: same routes,
 * same HTML, same JSON, same failure pages. One handler per simulated pod; myapp reaches myapi only
 * through the pod's network (cluster DNS + Service), as the Java app does.
 */
import { Unreachable, splitPath, type AppHandler, type AppRequest, type AppResponse, type PodNetwork } from './http.js';

export interface Greeting {
  id: number;
  content: string;
}

/** One H2 in-memory database (one per myapi pod) or the shared SQL Server of the Helm chart. */
export class GreetingStore {
  private readonly items: Greeting[] = [];
  private nextId = 1;
  constructor(seed: readonly string[] = []) {
    for (const content of seed) this.add(content);
  }
  add(content: string): Greeting {
    const g = { id: this.nextId++, content };
    this.items.push(g);
    return g;
  }
  list(): Greeting[] {
    return this.items.map((g) => ({ ...g }));
  }
  get(id: number): Greeting | undefined {
    return this.items.find((g) => g.id === id);
  }
}

const HTML = 'text/html;charset=UTF-8';
const JSON_TYPE = 'application/json;charset=UTF-8';

/** What Thymeleaf's th:text does to text (HTML escape level 1: markup-significant characters). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const html = (status: number, body: string): AppResponse => ({ status, headers: { 'content-type': HTML }, body });
const json = (status: number, value: unknown): AppResponse => ({ status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(value) });

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

/** Spring Boot 2.0's /error: the whitelabel page for browsers, a JSON body for other clients. */
function springError(req: AppRequest, status: number, message = 'No message available'): AppResponse {
  const timestamp = new Date();
  const error = REASONS[status] ?? 'Error';
  if ((req.headers.accept ?? '').includes('text/html')) {
    return html(
      status,
      '<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p>' +
        `<div id='created'>${timestamp.toString()}</div><div>There was an unexpected error (type=${error}, status=${status}).</div><div>${escapeHtml(message)}</div></body></html>`,
    );
  }
  return json(status, { timestamp: timestamp.toISOString().replace('Z', '+0000'), status, error, message, path: splitPath(req.path).pathname });
}

const START_PAGE = `<!DOCTYPE HTML>
<html>
<head>
    <title>Getting Started: Serving Web Content</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head>
<body>
    <p>Get your greeting <a href="/greeting">here</a></p>
</body>
</html>
`;

function formPage(content: string): string {
  return `<!DOCTYPE HTML>
<html>
<head>
    <title>Getting Started: Handling Form Submission</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head>
<body>
\t<h1>Form</h1>
    <form action="/greeting" method="post">
        <p>Message: <input type="text" id="content" name="content" value="${escapeHtml(content)}" /></p>
        <p><input type="submit" value="Submit" /> <input type="reset" value="Reset" /></p>
    </form>
</body>
</html>
`;
}

function resultPage(greetings: Greeting[]): string {
  const items = greetings.map((g) => `    <p><span>id: ${g.id}</span> &nbsp; <span>content: ${escapeHtml(String(g.content))}</span></p>\n`).join('');
  return `<!DOCTYPE HTML>
<html>
<head>
    <title>Messages</title>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head>
<body>
\t<h1>Result</h1>
${items}    <a href="/greeting">Submit another message</a>
</body>
</html>
`;
}

/** API_BASE_URL as the app reads it: one trailing slash trimmed, default http://api:8080. */
export function apiBase(env: Record<string, string>): string {
  const v = env.API_BASE_URL ?? 'http://api:8080';
  return v.endsWith('/') ? v.slice(0, -1) : v;
}

/**
 * The app's HTTP client keeps connections alive, as RestTemplate over the JDK's HttpURLConnection
 * does: an idle connection is reused for up to 5 s (the JDK's keep-alive default when the server
 * names none) and 100 requests (Tomcat's maxKeepAliveRequests). A kept connection that fails is
 * dropped and the request sent once more on a new one, as the JDK retries on a stale connection.
 */
export class KeepAlivePool {
  static readonly IDLE_MS = 5_000;
  static readonly MAX_REQUESTS = 100;
  private readonly open = new Map<string, { handler: AppHandler; lastUsed: number; requests: number }>();
  constructor(
    private readonly net: PodNetwork,
    private readonly now: () => number = Date.now,
  ) {}

  async send(host: string, port: number, req: AppRequest): Promise<AppResponse> {
    const key = `${host}:${port}`;
    const kept = this.open.get(key);
    if (kept && this.now() - kept.lastUsed < KeepAlivePool.IDLE_MS && kept.requests < KeepAlivePool.MAX_REQUESTS) {
      try {
        return await this.use(key, kept, req);
      } catch (e) {
        if (!(e instanceof Unreachable)) throw e;
      }
    }
    this.open.delete(key);
    const fresh = { handler: this.net(host, port), lastUsed: this.now(), requests: 0 };
    this.open.set(key, fresh);
    try {
      return await this.use(key, fresh, req);
    } catch (e) {
      this.open.delete(key);
      throw e;
    }
  }

  private async use(key: string, conn: { handler: AppHandler; lastUsed: number; requests: number }, req: AppRequest): Promise<AppResponse> {
    conn.requests++;
    const answer = await conn.handler(req);
    conn.lastUsed = this.now();
    if (conn.requests >= KeepAlivePool.MAX_REQUESTS) this.open.delete(key);
    return answer;
  }
}

/** RestTemplate over the pod's network. Throws Unreachable like a refused/unknown host. */
async function callApi(pool: KeepAlivePool, url: string, method: string, body?: unknown): Promise<AppResponse> {
  const u = new URL(url);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { accept: 'application/json, application/*+json', host: u.host };
  if (body !== undefined) headers['content-type'] = 'application/json;charset=UTF-8';
  return pool.send(u.hostname, u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80, { method, path: u.pathname + u.search, headers, body: payload });
}

export function createMyApp(opts: { env: Record<string, string>; net: PodNetwork; now?: () => number }): AppHandler {
  const base = apiBase(opts.env);
  const pool = new KeepAlivePool(opts.net, opts.now);
  return async (req) => {
    const { pathname, query } = splitPath(req.path);
    if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) return html(200, START_PAGE);
    if (pathname === '/greeting' && req.method === 'GET') return html(200, formPage(query.get('content') ?? 'Default content'));
    if (pathname === '/greeting' && req.method === 'POST') {
      const content = new URLSearchParams(req.body.toString('utf8')).get('content') ?? '';
      let step = `POST request for "${base}/api/greetings"`;
      try {
        const posted = await callApi(pool, `${base}/api/greetings`, 'POST', { id: 0, content });
        if (posted.status >= 400) return springError(req, 500, `${posted.status} null`);
        step = `GET request for "${base}/api/greetings"`;
        const listed = await callApi(pool, `${base}/api/greetings`, 'GET');
        if (listed.status >= 400) return springError(req, 500, `${listed.status} null`);
        return html(200, resultPage(JSON.parse(listed.body.toString()) as Greeting[]));
      } catch (e) {
        if (!(e instanceof Unreachable)) return springError(req, 500, e instanceof Error ? e.message : String(e));
        const detail =
          e.javaException === 'java.net.UnknownHostException'
            ? new URL(base).hostname
            : e.javaException === 'java.net.SocketException'
              ? 'Connection reset'
              : 'Connection refused (Connection refused)';
        return springError(req, 500, `I/O error on ${step}: ${detail}; nested exception is ${e.javaException}: ${detail}`);
      }
    }
    if (pathname === '/greeting' || pathname === '/') return springError(req, 405, `Request method '${req.method}' not supported`);
    return springError(req, 404);
  };
}

export function createMyApi(opts: { store: GreetingStore }): AppHandler {
  return async (req) => {
    const { pathname } = splitPath(req.path);
    if (pathname === '/') return { status: 200, headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: 'healthy' };
    if (pathname === '/api/greetings' && req.method === 'GET') return json(200, opts.store.list());
    if (pathname === '/api/greetings' && req.method === 'POST') {
      if (!/^application\/(.+\+)?json/i.test(req.headers['content-type'] ?? '')) return springError(req, 415, `Content type '${req.headers['content-type'] ?? ''}' not supported`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body.toString('utf8'));
      } catch {
        return springError(req, 400, 'JSON parse error');
      }
      const content = parsed && typeof parsed === 'object' && 'content' in parsed ? (parsed as { content: unknown }).content : null;
      return json(200, opts.store.add(content === null || content === undefined ? (null as unknown as string) : String(content)));
    }
    const m = /^\/api\/greetings\/([^/]+)$/.exec(pathname);
    if (m && req.method === 'GET') {
      if (!/^-?\d+$/.test(m[1]))
        return springError(req, 400, `Failed to convert value of type 'java.lang.String' to required type 'long'; nested exception is java.lang.NumberFormatException: For input string: "${m[1]}"`);
      return json(200, opts.store.get(Number(m[1])) ?? null);
    }
    if (pathname === '/api/greetings') return springError(req, 405, `Request method '${req.method}' not supported`);
    return springError(req, 404);
  };
}

const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginxNotFound = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n';

export function createNginx(): AppHandler {
  return async (req) => {
    const { pathname } = splitPath(req.path);
    const headers = { server: 'nginx/1.27.3', 'content-type': 'text/html' };
    if (pathname === '/' || pathname === '/index.html') return { status: 200, headers, body: NGINX_WELCOME };
    return { status: 404, headers, body: nginxNotFound };
  };
}

/** Any other image: something answers, but not the app. */
export function createNotFound(): AppHandler {
  return async () => ({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' });
}

export type AppKind = 'myapp' | 'myapi' | 'nginx' | 'other';

/** Which program an image runs, from its repository's last path segment. */
export function appKindOfImage(image: string): AppKind {
  const noDigest = image.split('@')[0];
  const lastSegment = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const repo = lastSegment.includes(':') ? lastSegment.slice(0, lastSegment.indexOf(':')) : lastSegment;
  if (repo === 'myapp' || repo === 'myapi') return repo;
  if (repo.startsWith('nginx')) return 'nginx';
  return 'other';
}

/** The port the program listens on inside the container (Tomcat 8080, nginx 80). */
export function listenPortOf(kind: AppKind): number {
  return kind === 'myapp' || kind === 'myapi' ? 8080 : 80;
}
