/**
 * The VM's port 80 while `docker-compose up` runs (scenario `vm.serving`): the greetings app as
 * Compose starts it, myapp reaching myapi at http://api:8080 on the compose network. When not
 * serving, nothing listens on the port, as on the real VM (connections are refused): the port is held
 * so that no other process takes it until the app serves there.
 */
import { createServer, type Server } from 'node:http';
import { GreetingStore, createMyApi, createMyApp } from '../app/greetings.js';
import { Unreachable, sendAppResponse, toAppRequest } from '../app/http.js';
import { holdClosedPort, listenAgain, listenLoopback, type HeldPort } from '../listen.js';

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
  let held: HeldPort | undefined;
  let requests = 0;
  const app = () => {
    const handle = composeApp();
    return createServer((req, res) => {
      requests++;
      // The scenario's latencyMs, as on every other server of the student.
      new Promise((r) => setTimeout(r, latencyMs))
        .then(() => toAppRequest(req, req.url ?? '/'))
        .then(handle)
        .then((answer) => sendAppResponse(res, answer))
        .catch(() => res.writeHead(500).end());
    });
  };
  // The port is fixed for the run (the class config maps the VM's port 80 to it): a server listening
  // on port 0 from the start, or a held port where nothing listens until the scenario serves.
  let port: number;
  if (serving) {
    server = app();
    port = await listenLoopback(server);
  } else {
    held = await holdClosedPort();
    port = held.port;
  }
  const web: VmWeb = {
    port,
    get requests() {
      return requests;
    },
    async setServing(on) {
      if (on && !server) {
        held?.release();
        held = undefined;
        const s = app();
        await listenAgain(s, port);
        server = s;
      } else if (!on && server) {
        // Refused from now on, as on the VM; the port is not held again (a held port is one the kernel
        // chose), so a later `serving: true` retries if another process took it meanwhile.
        const s = server;
        server = undefined;
        await closeServer(s);
      }
    },
    async close() {
      held?.release();
      held = undefined;
      await web.setServing(false);
    },
  };
  return web;
}
