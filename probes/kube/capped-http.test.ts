import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerBudget, kubeHttp, KubeStatusError } from './capped-http.js';

let server: Server | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = agent = undefined;
});

/** An API server on 127.0.0.1 that answers every request with `status`, `type` and `body`, and remembers what it was asked. */
async function apiServer(status: number, type: string, body: string) {
  const seen: IncomingMessage[] = [];
  server = createServer((req, res) => {
    seen.push(req);
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  agent = new Agent();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = kubeHttp(url, async () => ({ headers: { authorization: 'Bearer t0ken' }, dispatcher: agent! }), new AnswerBudget());
  return { http, seen };
}

const POD = {
  metadata: { name: 'myapp-1', creationTimestamp: '2024-10-01T09:15:00Z', managedFields: [{ manager: 'kubectl' }] },
  status: { containerStatuses: [{ state: { running: { startedAt: '2024-10-01T09:16:00Z' } } }] },
};

describe('kubeHttp: the API read as raw JSON', () => {
  it('GETs the path with its query encoded, the credentials and Accept, and returns the JSON as the server wrote it', async () => {
    const { http, seen } = await apiServer(200, 'application/json', JSON.stringify({ kind: 'PodList', items: [POD] }));
    const list = await http.get<{ items: unknown[] }>('/api/v1/namespaces/default/secrets', { labelSelector: 'owner=helm,status!=superseded' });
    // Timestamps stay strings and fields no check reads are kept: nothing is turned into model classes.
    expect(list.items).toEqual([POD]);
    expect(seen.map((r) => [r.method, r.url])).toEqual([['GET', '/api/v1/namespaces/default/secrets?labelSelector=owner%3Dhelm%2Cstatus%21%3Dsuperseded']]);
    expect(seen[0].headers).toMatchObject({ authorization: 'Bearer t0ken', accept: 'application/json, */*;q=0.8' });
  });

  it('throws the status and the Status body of an answer that is not 2xx', async () => {
    const status = JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods is forbidden: User "student" cannot list resource "pods"' });
    const { http, seen } = await apiServer(403, 'application/json', status);
    const err = await http.delete('/api/v1/namespaces/default/pods/myapi-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({ code: 403, body: status });
    expect(seen.map((r) => r.method)).toEqual(['DELETE']);
  });

  it('refuses a 200 answer that is not JSON instead of reading it as a list', async () => {
    const { http } = await apiServer(200, 'text/html', '<html>login</html>');
    await expect(http.get('/api/v1/nodes')).rejects.toThrow('the API server answered text/html, not JSON');
  });
});
