/**
 * The VM's port 80 while `docker-compose up` runs (scenario `vm.serving`): the greetings app as
 * Compose starts it, myapp reaching myapi at http://api:8080 on the compose network. When not
 * serving, nothing listens on the port, as on the real VM.
 */
import { createServer, type Server } from 'node:http';
import { GreetingStore, createMyApi, createMyApp } from '../app/greetings.js';
import { Unreachable, sendAppResponse, toAppRequest } from '../app/http.js';
import { listenLoopback, reservePort } from '../listen.js';

/** Kept here too: the class sandbox (sandbox/lab.ts) imports it from this module. */

export interface VmWeb {
  port: number;
  /** Requests answered so far (the benchmark counts them). */
  readonly requests: number;
  setServing(serving: boolean): Promise<void>;
  close(): Promise<void>;
}

function composeApp() {
  const api = createMyApi({ store: new GreetingStore() });
  return createMyApp({
    env: {},
    net: (host, port) => {
      if (host === 'api' && port === 8080) return api;
      throw new Unreachable(`${host}: Name or service not known`, 'java.net.UnknownHostException');
    },
  });
}

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

export async function startVmWeb(serving: boolean, latencyMs = 0): Promise<VmWeb> {
  let server: Server | undefined;
  let requests = 0;
  const port = await reservePort();
  const web: VmWeb = {
    port,
    get requests() {
      return requests;
    },
    async setServing(on) {
      if (on && !server) {
        const app = composeApp();
        const s = createServer((req, res) => {
          requests++;
          // The scenario's latencyMs, as on every other server of the student.
          new Promise((r) => setTimeout(r, latencyMs))
            .then(() => toAppRequest(req, req.url ?? '/'))
            .then(app)
            .then((answer) => sendAppResponse(res, answer))
            .catch(() => res.writeHead(500).end());
        });
        await listenLoopback(s, port);
        server = s;
      } else if (!on && server) {
        const s = server;
        server = undefined;
        await closeServer(s);
      }
    },
    close: () => web.setServing(false),
  };
  await web.setServing(serving);
  return web;
}
