/**
 * meta.k8s.io/v1 Table answers, which `kubectl get` asks for (`Accept: ...;as=Table`) so it prints
 * the server's columns (READY, STATUS, EXTERNAL-IP...) instead of only NAME and AGE.
 */
import type { KEvent, KObj, Labels } from './manifests.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  priority?: number;
  cell: (o: KObj, now: number) => unknown;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const name: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name };
const age: Column = { name: 'Age', type: 'string', cell: (o, now) => humanDuration(now - Date.parse(String(o.metadata.creationTimestamp))) };

function podStatusText(p: KObj): string {
  for (const c of p.status?.containerStatuses ?? []) if (c.state?.waiting?.reason) return c.state.waiting.reason;
  const sched = (p.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return sched ? 'Pending' : (p.status?.phase ?? 'Unknown');
}

const servicePorts = (s: KObj): string => (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',') || '<none>';
const externalIp = (s: KObj): string => {
  const ips = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname);
  if (ips.length) return ips.join(',');
  return s.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
};
const readyOf = (o: KObj): string => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`;

/** The events bucket holds Events only. */
const asEvent = (o: KObj) => o as KEvent;

const COLUMNS: Record<string, Column[]> = {
  pods: [
    name,
    { name: 'Ready', type: 'string', cell: (p) => `${(p.status?.containerStatuses ?? []).filter((c) => c.ready).length}/${p.spec?.containers?.length ?? 0}` },
    { name: 'Status', type: 'string', cell: podStatusText },
    { name: 'Restarts', type: 'string', cell: () => '0' },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (p) => p.status?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, cell: (p) => p.spec?.nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: () => '<none>' },
  ],
  services: [
    name,
    { name: 'Type', type: 'string', cell: (s) => s.spec?.type },
    { name: 'Cluster-IP', type: 'string', cell: (s) => s.spec?.clusterIP },
    { name: 'External-IP', type: 'string', cell: externalIp },
    { name: 'Port(s)', type: 'string', cell: servicePorts },
    age,
    {
      name: 'Selector',
      type: 'string',
      priority: 1,
      cell: (s) =>
        Object.entries((s.spec?.selector ?? {}) as Labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '<none>',
    },
  ],
  deployments: [
    name,
    { name: 'Ready', type: 'string', cell: readyOf },
    { name: 'Up-to-date', type: 'integer', cell: (d) => d.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (d) => d.status?.availableReplicas ?? 0 },
    age,
  ],
  replicasets: [
    name,
    { name: 'Desired', type: 'integer', cell: (r) => r.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', cell: (r) => r.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', cell: (r) => r.status?.readyReplicas ?? 0 },
    age,
  ],
  nodes: [
    name,
    { name: 'Status', type: 'string', cell: (n) => ((n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady') },
    { name: 'Roles', type: 'string', cell: () => '<none>' },
    age,
    { name: 'Version', type: 'string', cell: (n) => n.status?.nodeInfo?.kubeletVersion },
  ],
  events: [
    { name: 'Last Seen', type: 'string', cell: (e, now) => humanDuration(now - Date.parse(asEvent(e).lastTimestamp)) },
    { name: 'Type', type: 'string', cell: (e) => asEvent(e).type },
    { name: 'Reason', type: 'string', cell: (e) => asEvent(e).reason },
    { name: 'Object', type: 'string', cell: (e) => `${String(asEvent(e).involvedObject.kind).toLowerCase()}/${asEvent(e).involvedObject.name}` },
    { name: 'Message', type: 'string', cell: (e) => asEvent(e).message },
  ],
};

/** A Table for the resource, or undefined when only NAME/AGE would be shown (the list is fine then). */
export function toTable(plural: string, items: KObj[], resourceVersion: string, now = Date.now()): Record<string, unknown> | undefined {
  const columns = COLUMNS[plural];
  if (!columns) return undefined;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.name === 'Name' ? 'name' : '', description: '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: columns.map((c) => c.cell(o, now)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
