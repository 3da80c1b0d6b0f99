/** Requests per student by service, as the simulated lab's servers counted them. */
import type { StudentTraffic } from '../sandbox/lab.js';
import type { Measurement } from './measure.js';

export interface ServiceCounts {
  arm: number;
  registry: number;
  kube: number;
  /** SSH: connections, exec requests, SFTP requests. */
  sshConnections: number;
  sshExecs: number;
  sftp: number;
  /** The app over HTTP (the VM's port 80 and the public front). */
  http: number;
}

export const SERVICES: Array<[keyof ServiceCounts, string]> = [
  ['arm', 'ARM'],
  ['registry', 'registry'],
  ['kube', 'Kubernetes API'],
  ['sshConnections', 'SSH conn'],
  ['sshExecs', 'SSH exec'],
  ['sftp', 'SFTP ops'],
  ['http', 'app HTTP'],
];

export function countsOf(t: StudentTraffic): ServiceCounts {
  return { arm: t.arm, registry: t.registry, kube: t.kube, sshConnections: t.ssh.connections, sshExecs: t.ssh.execs, sftp: t.ssh.sftp, http: t.http };
}

const total = (c: ServiceCounts) => SERVICES.reduce((n, [k]) => n + c[k], 0);
export const totalRequests = total;

/**
 * Counts per kind of student (the built-in scenario it was cloned from). Every clone of a kind must
 * cost the same; `varying` lists the kinds where they did not (a fetch that depends on timing).
 */
export function countsByTemplate(m: Measurement): { byTemplate: Map<string, ServiceCounts>; varying: string[] } {
  const byTemplate = new Map<string, ServiceCounts>();
  const varying = new Set<string>();
  for (const s of m.students) {
    const c = countsOf(m.traffic.byUser[s.user]);
    const seen = byTemplate.get(s.template);
    if (!seen) byTemplate.set(s.template, c);
    else if (JSON.stringify(seen) !== JSON.stringify(c)) varying.add(s.template);
  }
  return { byTemplate: new Map([...byTemplate].sort(([a], [b]) => a.localeCompare(b))), varying: [...varying] };
}

/** Mean counts per student over the class. */
export function meanCounts(m: Measurement): ServiceCounts {
  const sum = Object.fromEntries(SERVICES.map(([k]) => [k, 0])) as unknown as ServiceCounts;
  for (const s of m.students) {
    const c = countsOf(m.traffic.byUser[s.user]);
    for (const [k] of SERVICES) sum[k] += c[k];
  }
  for (const [k] of SERVICES) sum[k] /= m.students.length || 1;
  return sum;
}
