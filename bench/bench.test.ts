/**
 * What grading a student costs on the wire, per kind of student, exactly: a change that fetches
 * something twice (or stops sharing a read between checks) changes a number here. Counted by the
 * simulated lab's servers, for a class of 20 (every built-in kind, some twice) at 10 ms per answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../checks/index.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { BUILT_IN_CLASS_DIR } from '../test/support/class.js';
import { measureClass, type Measurement } from './measure.js';
import { countsByTemplate, type ServiceCounts } from './traffic.js';

const c = (arm: number, registry: number, kube: number, ssh: [number, number, number], http: number): ServiceCounts => ({
  arm,
  registry,
  kube,
  sshConnections: ssh[0],
  sshExecs: ssh[1],
  sftp: ssh[2],
  http,
});

// ARM: group, registries, listCredentials, clusters, kubeconfig, role assignments (group + registry).
// Kubernetes: 11 lists once + /version (+ 3 pod-proxy reads with 3 myapi replicas).
// SSH: one connection, 3 commands, 16 SFTP requests (12 stats at once: the folder, Dockerfiles, compose,
// override and .env files; then open/fstat/read/close of the compose file).
// HTTP: the VM's port 80 when served, then start page, form and POST through the external IP.
const EXPECTED: Record<string, ServiceCounts> = {
  labuser01: c(7, 4, 12, [1, 3, 16], 4), // perfect, the app still served on the VM
  labuser02: c(7, 4, 15, [1, 3, 16], 3), // Helm 3, 3 myapi replicas: 3 pod-proxy reads
  labuser03: c(7, 4, 15, [1, 3, 16], 3), // Helm 2 with tiller
  labuser04: c(7, 4, 12, [1, 3, 16], 3), // no port mapping
  labuser05: c(7, 4, 12, [1, 3, 16], 1), // ImagePullBackOff: one try of the start page, no Ready pod
  labuser06: c(7, 4, 12, [1, 3, 16], 0), // LoadBalancer pending: no external IP to ask
  labuser07: c(7, 4, 15, [1, 3, 16], 3), // three in-memory replicas
  labuser08: c(3, 0, 0, [1, 3, 16], 0), // only cloned the repo: no cluster, no registry
  labuser09: c(6, 9, 12, [1, 2, 16], 3), // admin user off: Entra exchange, one token per repository
  labuser10: c(7, 4, 0, [0, 0, 0], 0), // no VM, cluster still creating: pull rights still read from ARM
  labuser11: c(7, 4, 12, [1, 3, 16], 1), // Helm with the chart's broken registry
};

describe('npm run bench: requests per student', () => {
  let m: Measurement;
  // One measured class for every test, whichever runs first.
  beforeAll(async () => {
    // Journalled, as a real class run is: the journal's fsyncs are part of what a run costs.
    m = await measureClass({ students: 20, latencyMs: 10, concurrency: 20, journal: true });
  }, 60_000);

  it('grades a class of 20 with every kind, each verdict as its scenario expects', () => {
    const expected = new Map(loadScenarios([BUILT_IN_CLASS_DIR], CHECK_IDS).map((s) => [s.user, s.expect]));
    const wrong = m.students.flatMap((s) => s.checks.filter((x) => expected.get(s.template)?.[x.id] !== x.status).map((x) => `${s.user} (${s.template}) ${x.id}: ${x.status}`));
    expect(wrong).toEqual([]);
  });

  it('writes the journal a class run writes: a header, then one line per student', () => {
    expect(m.options.journal).toBe(true);
    expect(m.journal?.lines).toBe(21);
  });

  it('costs exactly the reads the rubric needs, per kind and service', () => {
    const { byTemplate, varying } = countsByTemplate(m);
    expect(varying).toEqual([]);
    expect(Object.fromEntries(byTemplate)).toEqual(EXPECTED);
  });

  it('reuses TLS connections to ARM across the class', () => {
    // At most 3 ARM reads of a student are in flight at once: no more connections than that, ever.
    const armRequests = m.students.reduce((n, s) => n + m.traffic.byUser[s.user].arm, 0);
    expect(m.traffic.armTls).toBeLessThanOrEqual(m.students.length * 3);
    expect(m.traffic.armTls).toBeLessThan(armRequests / 2);
  });
});
