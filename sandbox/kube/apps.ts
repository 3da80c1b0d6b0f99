/** App start-up: the in-process program a running pod serves (no sockets), chosen by its image. */
import { GreetingStore, createMyApi, createMyApp, createNginx, createNotFound } from '../app/greetings.js';
import { allocateIp } from './addresses.js';
import { podNetwork } from './network.js';
import type { ClusterState, PodState } from './state.js';

/** Gives a running pod its program (and myapi its list: own H2, or the shared SQL Server). */
export function startApp(w: ClusterState, p: PodState): void {
  p.handler = undefined;
  if (p.phase !== 'started' || !p.pulls.every((x) => x.ok)) return;
  p.podIP ??= allocateIp(w, p.nodeIndex);
  const ns = p.obj.metadata.namespace as string;
  const seed = p.seedList ? (w.scenario.kubernetes?.greetings ?? []) : [];
  switch (p.app) {
    case 'myapi': {
      const sharesDb = p.env.SPRING_DATASOURCE_URL !== undefined && w.store.get('services', ns, 'db') !== undefined;
      let store = p.store;
      if (sharesDb) {
        store = w.sharedDbs.get(ns);
        if (!store) w.sharedDbs.set(ns, (store = new GreetingStore(w.scenario.kubernetes?.greetings ?? [])));
      } else if (!store || w.sharedDbs.get(ns) === store) store = new GreetingStore(seed);
      p.store = store;
      p.handler = createMyApi({ store });
      break;
    }
    case 'myapp':
      p.handler = createMyApp({ env: p.env, net: podNetwork(w, ns) });
      break;
    case 'nginx':
      p.handler = createNginx();
      break;
    default:
      p.handler = createNotFound();
  }
}
