import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AZURE_RBAC_DENIED } from '../../sandbox/entra/rights.js';
import { scenario } from '../../test/support/kube-scenarios.js';
import { startSimStudent, type SimStudent } from '../../test/support/kube-student.js';
import { MissingRightError } from '../types.js';
import { GRADER_READS } from './rights.js';
import { KUBE_CONNECTIONS } from './dispatcher.js';
import { recordedPolicy } from '../../test/support/net.js';

let sim: SimStudent | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const pathOf = (p: string) => p.split('?')[0];

describe('kube probe against the simulated API server', () => {
  it('answers /version and lists each kind once per snapshot, all with GET', async () => {
    sim = await startSimStudent(scenario({ kubernetes: { greetings: ['hello'], helm: [{ name: 'greetings', chart: 'greetings-0.3.0', values: { registry: 'labuser07acr.azurecr.io' } }] } }));
    const v = await sim.kube.reach();
    expect(v.gitVersion).toMatch(/^v1\./);
    expect(v.server).toBe(sim.api.url);
    sim.api.requests.length = 0;
    const snap = await sim.kube.snapshot();
    const paths = sim.api.requests.map((r) => pathOf(r.path)).sort();
    expect(paths).toEqual(
      [
        '/api/v1/namespaces/default/pods',
        '/apis/apps/v1/namespaces/default/deployments',
        '/apis/apps/v1/namespaces/default/replicasets',
        '/api/v1/namespaces/default/services',
        '/api/v1/namespaces/default/endpoints',
        '/api/v1/namespaces/default/events',
        '/api/v1/nodes',
        '/api/v1/secrets',
        '/api/v1/namespaces/kube-system/configmaps',
        '/api/v1/namespaces/kube-system/serviceaccounts',
        '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      ].sort(),
    );
    expect(sim.api.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(sim.api.requests.find((r) => pathOf(r.path) === '/api/v1/secrets')?.path).toContain('labelSelector=owner%3Dhelm%2Cstatus%21%3Dsuperseded');
    expect(snap.unreadable).toEqual({});
    expect(snap.pods.filter((p) => p.metadata?.labels?.app === 'myapp')).toHaveLength(3);
    expect(snap.deployments.map((d) => d.metadata?.name).sort()).toEqual(['myapi', 'myapp']);
    expect(snap.nodes).toHaveLength(3);
    expect(snap.helmSecrets).toHaveLength(1);
    expect(snap.serviceAccounts.length).toBeGreaterThan(0);
  });

  it('shares at most KUBE_CONNECTIONS connections between a snapshot’s lists', async () => {
    sim = await startSimStudent(scenario({ kubernetes: { greetings: ['hello'] } }));
    sim.api.configure({ latencyMs: 40 }); // the lists overlap, as on a network
    await sim.kube.snapshot();
    expect(sim.api.requests.length).toBeGreaterThan(KUBE_CONNECTIONS * 2);
    expect(sim.api.tlsConnections).toBeLessThanOrEqual(KUBE_CONNECTIONS);
  });

  it('reads a pod’s own list through the API server’s pod proxy', async () => {
    sim = await startSimStudent(scenario({ kubernetes: { greetings: ['hello', 'second'] } }));
    const snap = await sim.kube.snapshot();
    const api = snap.pods.find((p) => p.metadata?.labels?.app === 'myapi')!;
    const r = await sim.kube.podProxyGet('default', api.metadata!.name!, 8080, '/api/greetings');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).map((g: { content: string }) => g.content)).toEqual(['hello', 'second']);
    expect(sim.api.requests.at(-1)?.path).toBe(`/api/v1/namespaces/default/pods/${api.metadata!.name}:8080/proxy/api/greetings`);
    const missing = await sim.kube.podProxyGet('default', 'no-such-pod', 8080, '/api/greetings');
    expect(missing.status).toBe(404);
  });

  it('refuses to delete without --allow-disruptive and sends nothing', async () => {
    sim = await startSimStudent(scenario());
    const before = sim.api.requests.length;
    await expect(sim.kube.deletePod('default', 'myapi-x')).rejects.toThrow(/pass --allow-disruptive/);
    expect(sim.api.requests.length).toBe(before);
  });

  it('deletes a pod when allowed, and lists pods fresh for polling', async () => {
    sim = await startSimStudent(scenario(), { allowDisruptive: true });
    const [victim] = await sim.kube.listPods('default', 'app=myapi');
    await sim.kube.deletePod('default', victim.metadata!.name!);
    expect(sim.api.requests.filter((r) => r.method === 'DELETE').map((r) => pathOf(r.path))).toEqual([`/api/v1/namespaces/default/pods/${victim.metadata!.name}`]);
    const after = await sim.kube.listPods('default', 'app=myapi');
    expect(after.map((p) => p.metadata?.name)).not.toContain(victim.metadata!.name);
    expect(after).toHaveLength(1);
  });

  it('reports 403 on everything as an error naming the verb and the resource', async () => {
    sim = await startSimStudent(scenario({ faults: { kube: 'forbidden' } }));
    const err = await sim.kube.snapshot().catch((e) => e);
    // Kubernetes' RBAC refusal of the lists: the binding the credentials in use lack
    expect(err).toBeInstanceOf(MissingRightError);
    expect(err.message).toMatch(/refused the grader's identity clusterUser every list of pods, deployments and services in namespace default \(403 Forbidden\): it needs get, list, watch on pods/);
    expect(err.detail).toMatchObject({ status: 403, verb: 'list', resource: 'pods' });
    await expect(sim.kube.reach()).rejects.toThrow(/get \/version: forbidden \(RBAC\)/);
  });

  it('reports a server error as an error, not a crash', async () => {
    sim = await startSimStudent(scenario({ faults: { kube: 'error500' } }));
    await expect(sim.kube.snapshot()).rejects.toThrow(/list pods: the API server answered 500: Internal error occurred: etcdserver: request timed out/);
  });

  it('dials the API server through the network policy (connectTo, then the vetting)', async () => {
    const { kubeProbe } = await import('./probe.js');
    const kc = (server: string) =>
      `apiVersion: v1\nclusters: [{name: c, cluster: {server: "${server}"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t0123456789}}]\n`;
    // The name is mapped (no DNS) to a private address, which the sandbox policy refuses at dial time.
    const policy = recordedPolicy({ loopbackOnly: true, connectTo: { 'aks07.hcp.example:443': '10.1.2.3:443' } });
    const probe = kubeProbe({ kubeconfig: async () => kc('https://aks07.hcp.example:443'), namespace: 'default', allowDisruptive: false, policy });
    await expect(probe.reach()).rejects.toThrow(/get \/version: cannot reach the API server at https:\/\/aks07.hcp.example:443: refused to connect/);
    expect(policy.refused).toEqual(['aks07.hcp.example:443 -> 10.1.2.3']);
    // An IP literal outside the policy is refused before any request is built.
    const probe2 = kubeProbe({ kubeconfig: async () => kc('https://10.1.2.3:443'), namespace: 'default', allowDisruptive: false, policy });
    await expect(probe2.reach()).rejects.toThrow(/refusing the kubeconfig's server https:\/\/10.1.2.3:443: the simulated lab only reaches 127/);
    expect(policy.refused).toHaveLength(1);
    await probe.close();
  });
});

describe("kube probe: refusals for a right the grader's own identity lacks", () => {
  const CLUSTER_ID = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks07';
  const run = promisify(execFile);
  /** Real kubectl against the simulated API server, with the command's own arguments and a client-side dry run. */
  const kubectl = async (kubeconfig: string, command: string) => {
    const home = mkdtempSync(join(tmpdir(), 'lab-grade-rights-'));
    writeFileSync(join(home, 'config'), kubeconfig);
    const args = command
      .replace(/\s+#.*$/, '')
      .split(/\s+/)
      .slice(1);
    const { stdout } = await run('kubectl', ['--kubeconfig', join(home, 'config'), '--cache-dir', join(home, 'cache'), ...args, '--dry-run=client', '-o', 'json'], {
      env: { ...process.env, HOME: home },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as { rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>; subjects?: unknown[]; roleRef?: unknown };
  };

  it('Kubernetes RBAC: every list refused is the missing ClusterRoleBinding, with commands real kubectl takes', async () => {
    sim = await startSimStudent(scenario());
    sim.api.configure({ authorize: () => ({ allowed: false }) });
    expect((await sim.kube.reach()).gitVersion).toMatch(/^v1\./); // discovery answers every authenticated caller
    const err = (await sim.kube.snapshot().catch((e: unknown) => e)) as MissingRightError;
    expect(err).toBeInstanceOf(MissingRightError);
    const [role, binding] = err.missing.grant.split(' && ');
    expect(err.missing).toEqual({
      principal: 'clusterUser',
      right: 'get, list, watch on pods (a ClusterRoleBinding naming it)',
      scope: `cluster ${sim.world.clusterName}`,
      grant: `kubectl create clusterrole lab-grade-reader --verb=get,list,watch --resource=${GRADER_READS.join(',')} && kubectl create clusterrolebinding lab-grade-reader --clusterrole=lab-grade-reader --user=clusterUser  # in the cluster, as its admin`,
    });
    expect(err.detail).toMatchObject({ status: 403, verb: 'list', resource: 'pods', missingRight: err.missing });
    expect((await kubectl(sim.kubeconfig, role)).rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/proxy', 'services', 'endpoints', 'events', 'nodes', 'secrets', 'configmaps', 'serviceaccounts'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(await kubectl(sim.kubeconfig, binding)).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'lab-grade-reader' }, subjects: [{ kind: 'User', name: 'clusterUser' }] });
  });

  it("Azure RBAC: the webhook's refusal names the Azure role on the cluster's resource id, the custom role for what RBAC Reader leaves out, RBAC Writer for a delete", async () => {
    sim = await startSimStudent(scenario(), { allowDisruptive: true, cluster: { name: 'aks07', id: CLUSTER_ID, reason: 'the only one', candidates: ['aks07'] } });
    const grant = (role: string) => `az role assignment create --role "${role}" --assignee clusterUser --scope ${CLUSTER_ID}`;
    sim.api.configure({ authorize: (_user, r) => (r.resource === 'secrets' || r.verb === 'delete' ? { allowed: false, reason: AZURE_RBAC_DENIED } : { allowed: true }) });
    const snap = await sim.kube.snapshot();
    expect(Object.keys(snap.unreadable)).toEqual(['helmSecrets']);
    expect(snap.missingRights).toEqual({
      helmSecrets: {
        principal: 'clusterUser',
        right: `the Azure role "lab-grade Kubernetes reader" (a custom role with the data action Microsoft.ContainerService/managedClusters/*/read: README, "The grader's own rights")`,
        scope: CLUSTER_ID,
        grant: grant('lab-grade Kubernetes reader'),
      },
    });
    const [victim] = await sim.kube.listPods('default', 'app=myapi');
    const refused = (await sim.kube.deletePod('default', victim.metadata!.name!).catch((e: unknown) => e)) as MissingRightError;
    expect([refused.missing.grant, refused.detail.verb]).toEqual([grant('Azure Kubernetes Service RBAC Writer'), 'delete']);
    sim.api.configure({ authorize: () => ({ allowed: false, reason: AZURE_RBAC_DENIED }) });
    const none = (await sim.kube.listPods('default', 'app=myapi').catch((e: unknown) => e)) as MissingRightError;
    expect(none.missing).toMatchObject({ right: 'the Azure role "Azure Kubernetes Service RBAC Reader"', grant: grant('Azure Kubernetes Service RBAC Reader') });
    expect(none.message).toContain(`the API server refused the grader's identity clusterUser (403 Forbidden): it needs the Azure role "Azure Kubernetes Service RBAC Reader" on ${CLUSTER_ID}`);
  });
});
