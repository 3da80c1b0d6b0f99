import { describe, expect, it } from 'vitest';
import { GreetingStore, apiBase, appKindOfImage, createMyApi, createMyApp, createNginx, escapeHtml } from './greetings.js';
import { Unreachable, type AppRequest } from './http.js';

const req = (method: string, path: string, body = '', headers: Record<string, string> = {}): AppRequest => ({ method, path, headers, body: Buffer.from(body) });
const form = (content: string) => req('POST', '/greeting', `content=${encodeURIComponent(content)}`, { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' });

describe('greetings app', () => {
  it('myapi: healthy, list, post (200, ids from 1), get by id, errors', async () => {
    const api = createMyApi({ store: new GreetingStore(['seed']) });
    expect((await api(req('GET', '/'))).body).toBe('healthy');
    const posted = await api(req('POST', '/api/greetings', '{"id":0,"content":"hi"}', { 'content-type': 'application/json' }));
    expect(posted.status).toBe(200);
    expect(JSON.parse(String(posted.body))).toEqual({ id: 2, content: 'hi' });
    expect(JSON.parse(String((await api(req('GET', '/api/greetings'))).body))).toEqual([
      { id: 1, content: 'seed' },
      { id: 2, content: 'hi' },
    ]);
    expect(String((await api(req('GET', '/api/greetings/2'))).body)).toBe('{"id":2,"content":"hi"}');
    expect(String((await api(req('GET', '/api/greetings/99'))).body)).toBe('null');
    expect((await api(req('GET', '/api/greetings/abc'))).status).toBe(400);
    expect((await api(req('POST', '/api/greetings', 'content=x', { 'content-type': 'text/plain' }))).status).toBe(415);
    expect((await api(req('POST', '/api/greetings', '{bad', { 'content-type': 'application/json' }))).status).toBe(400);
    expect((await api(req('GET', '/greetings'))).status).toBe(404);
  });

  it('myapp: start page, form, result page through the API; escaping like th:text', async () => {
    const store = new GreetingStore();
    const seen: string[] = [];
    const app = createMyApp({
      env: { API_BASE_URL: 'http://myapi:8080/' },
      net: (host, port) => {
        seen.push(`${host}:${port}`);
        return createMyApi({ store });
      },
    });
    expect(String((await app(req('GET', '/'))).body)).toContain('<title>Getting Started: Serving Web Content</title>');
    const formPage = String((await app(req('GET', '/greeting?content=x%22y'))).body);
    expect(formPage).toContain('<h1>Form</h1>');
    expect(formPage).toContain('<form action="/greeting" method="post">');
    expect(formPage).toContain('name="content" value="x&quot;y"');
    expect(formPage).toContain('value="Submit"');
    const result = await app(form(`<script>'&`));
    expect(result.status).toBe(200);
    const html = String(result.body);
    expect(html).toContain('<title>Messages</title>');
    expect(html).toContain('<h1>Result</h1>');
    expect(html).toContain('<p><span>id: 1</span> &nbsp; <span>content: &lt;script&gt;&#39;&amp;</span></p>');
    expect(html).toContain('<a href="/greeting">Submit another message</a>');
    expect(seen).toEqual(['myapi:8080']); // the POST and the list that follows share one kept-alive connection
  });

  it('myapp: API unreachable → whitelabel 500', async () => {
    const app = createMyApp({
      env: {},
      net: () => {
        throw new Unreachable('api: unknown', 'java.net.UnknownHostException');
      },
    });
    const answer = await app(form('x'));
    expect(answer.status).toBe(500);
    expect(String(answer.body)).toContain('<h1>Whitelabel Error Page</h1>');
    expect(String(answer.body)).toContain('I/O error on POST request for &quot;http://api:8080/api/greetings&quot;: api; nested exception is java.net.UnknownHostException: api');
  });

  it('helpers: API_BASE_URL trimming, image kinds, nginx, escaping', async () => {
    expect(apiBase({ API_BASE_URL: 'http://myapi:8080/' })).toBe('http://myapi:8080');
    expect(apiBase({})).toBe('http://api:8080');
    expect(appKindOfImage('labuser07acr.azurecr.io/myapp:v1.0')).toBe('myapp');
    expect(appKindOfImage('azurezr.io/myapi:v1.0')).toBe('myapi');
    expect(appKindOfImage('nginx:1.25-alpine')).toBe('nginx');
    expect(appKindOfImage('microsoft/mssql-server-linux:2017-CU12')).toBe('other');
    expect(String((await createNginx()(req('GET', '/'))).body)).toContain('<title>Welcome to nginx!</title>');
    expect(escapeHtml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&#39;');
  });
});
