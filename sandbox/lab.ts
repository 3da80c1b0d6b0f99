/**
 * The simulated lab (docs/scenarios.md): from scenario files, start on 127.0.0.1 everything
 * the grader talks to — a fake Azure Resource Manager, a Kubernetes API server per student cluster,
 * one registry server for every registry, an SSH server per VM, and a front for the apps' public
 * addresses — and describe it as an ordinary class config. The grader uses the same path as for a
 * real class: only endpoints, credentials, a CA and `network.connectTo` differ.
 */
import { randomBytes } from 'node:crypto';
import type { ClassConfig } from '../core/config.js';
import { Secret } from '../core/secret.js';
import { parseHostHeader, startFront } from './app/front.js';
import type { AppHandler } from './app/http.js';
import { graderIdentity } from './arm/ids.js';
import { SANDBOX_TENANT, startArm, type ArmServer } from './arm/server.js';
import { clusterAuthorizer, registryActionsGranted } from './entra/rights.js';
import { startEntra } from './entra/server.js';
import { AUDIENCES, TokenSigner } from './entra/tokens.js';
import { startGraph } from './graph/server.js';
import { createCa } from './ca.js';
import { entraKubeconfigFor, kubeconfigFor, startKubeApiServer, type KubeApiServer, type RequestLogEntry } from './kube/apiserver.js';
import { ClusterWorld } from './kube/world.js';
import { loginServer } from './registry/credentials.js';
import { startRegistry, type RegistryServer, type SandboxRegistry } from './registry/server.js';
import type { Access } from './registry/tokens.js';
import type { Scenario } from './scenario.js';
import { startVm, type SimulatedVm } from './vm/server.js';
import { holdClosedPort } from './listen.js';

export const SANDBOX_SUBSCRIPTION = '00000000-0000-4000-8000-00000000c1a5';
const vmHostOf = (user: string): string => `${user}-lab.westeurope.cloudapp.azure.com`;

/** Documentation ranges (RFC 5737) as the "public" IPs of LoadBalancers: clearly not real. */
export function externalIpFor(index: number): string {
  const ranges = ['203.0.113', '198.51.100', '192.0.2'];
  const range = ranges[Math.floor(index / 250) % ranges.length];
  return `${range}.${(index % 250) + 1}`;
}

interface StudentServers {
  scenario: Scenario;
  externalIp: string;
  worlds: Map<string, ClusterWorld>;
  kube: Map<string, { server: KubeApiServer; token: string }>;
  vm?: SimulatedVm;
}

/** The simulated directory: its token service and the grader's service principal in it. */
export interface SandboxDirectory {
  /** the credential's authorityHost */
  url: string;
  tenantId: string;
  /** the grader's application id and the object id of its service principal */
  clientId: string;
  objectId: string;
  /** issues tokens of this directory (what a token for another audience or signer would look like) */
  signer: TokenSigner;
}

export interface Sandbox {
  /** The class config the grader uses (in memory; `writeConfig` puts it on disk). */
  config: ClassConfig;
  entra: SandboxDirectory;
  /** The simulated Microsoft Graph (stands in for https://graph.microsoft.com). */
  graph: { url: string };
  caPem: string;
  scenarios: Scenario[];
  /** The kubeconfig of a student's cluster, as listClusterUserCredential hands it out. */
  kubeconfig(user: string, cluster?: string): string;
  /** Every secret the sandbox issued (tokens, passwords): tests grep outputs for them. */
  secrets(): string[];
  /** Request logs of the simulated Kubernetes API servers, by user. */
  kubeRequests(user: string): RequestLogEntry[];
  /** What the grader asked of a student's servers so far, by service (the benchmark's counts). */
  traffic(user: string): StudentTraffic;
  arm: ArmServer;
  registry: RegistryServer;
  /** Re-derive the world from changed scenarios (same users). */
  reload(scenarios: Scenario[]): void;
  stop(): Promise<void>;
}

export interface StudentTraffic {
  /** ARM requests attributed to the student's resource group (role names are read once per class). */
  arm: number;
  /** Registry API requests (token exchanges included) on the student's registries. */
  registry: number;
  /** Kubernetes API requests, and TLS connections, on the student's API servers. */
  kube: number;
  kubeTls: number;
  ssh: { connections: number; execs: number; sftp: number };
  /** The app over HTTP: the VM's port 80 and the public front (LoadBalancer addresses). */
  http: number;
}

export interface SandboxOptions {
  /** How long a replacement pod takes to run (ms). */
  replaceDelayMs?: number;
}

export async function startSandbox(scenarios: Scenario[], opts: SandboxOptions = {}): Promise<Sandbox> {
  const ca = await createCa();
  const [localTls, registryTls] = await Promise.all([ca.issue({ dns: ['localhost'], ips: ['127.0.0.1'] }), ca.issue({ dns: ['*.azurecr.io', 'azurecr.io'], ips: ['127.0.0.1'] })]);
  // The grader is a service principal of the simulated directory; ARM, Graph, ACR and Entra-integrated
  // clusters accept only that directory's tokens, each for its own audience.
  const signer = new TokenSigner(SANDBOX_TENANT);
  const grader = { ...graderIdentity(SANDBOX_TENANT), clientSecret: `sp-${randomBytes(24).toString('base64url')}` };
  const tenancy = { subscriptionId: SANDBOX_SUBSCRIPTION, tenantId: SANDBOX_TENANT };
  const clientSecret = new Secret(grader.clientSecret, 'Azure client secret');
  // A day's ARM token for tools that need a fixed one (a written class config, the bash baseline).
  const armToken = new Secret(signer.issue(grader, AUDIENCES.arm[3], 24 * 3600).token, 'Azure token');
  const vmPassword = new Secret(`vm-${randomBytes(12).toString('base64url')}`, 'VM password');
  const students = new Map<string, StudentServers>();
  const stoppers: Array<() => Promise<void>> = [];
  const issued: string[] = [armToken.reveal(), vmPassword.reveal(), clientSecret.reveal()];

  const kubeconfig = (user: string, cluster?: string): string => {
    const s = students.get(user);
    const name = cluster ?? (s ? [...s.kube.keys()][0] : undefined);
    const entry = s && name ? s.kube.get(name) : undefined;
    if (!s || !name || !entry) throw new Error(`no cluster ${cluster ?? ''} for ${user}`);
    if (s.scenario.azure.clusters.find((c) => c.name === name)?.entra) {
      return entraKubeconfigFor({ server: entry.server.url, caPem: ca.certPem, clusterName: name, userName: `clusterUser_${s.scenario.azure.resourceGroup}_${name}`, tenantId: SANDBOX_TENANT });
    }
    return kubeconfigFor({ server: entry.server.url, caPem: ca.certPem, token: entry.token, clusterName: name });
  };

  try {
    const registriesOf = (list: Scenario[]): SandboxRegistry[] =>
      list.flatMap((s) =>
        s.azure.registries.map((r) => ({
          name: r.name,
          adminUserEnabled: r.adminUserEnabled,
          images: r.images,
          repushed: r.repushed,
          user: s.user,
          faults: s.faults,
          granted: (objectId: string, access: Access) => registryActionsGranted(s.azure, tenancy, r, objectId, access),
        })),
      );
    const arm = await startArm({ tls: localTls, signer, subscriptionId: SANDBOX_SUBSCRIPTION, tenantId: SANDBOX_TENANT, students: scenarios, kubeconfigFor: (u, c) => kubeconfig(u, c) });
    stoppers.push(() => arm.close());
    // ACR exchanges its own audience's tokens, and ARM's while "authentication as ARM" is enabled (the default).
    const registryAudiences = new Set<string>([...AUDIENCES.arm, ...AUDIENCES.acr, arm.url, `${arm.url}/`]);
    // Graph first: the directory issues tokens for its address (as for ARM's), so it must know it.
    const graph = await startGraph({ tls: localTls, signer, subscriptionId: SANDBOX_SUBSCRIPTION, students: scenarios });
    const [entra, registry] = await Promise.all([
      startEntra({ tls: localTls, tenantId: SANDBOX_TENANT, signer, applications: [grader], extraResources: [arm.url, graph.url] }),
      startRegistry({
        tls: registryTls,
        registries: registriesOf(scenarios),
        aadPrincipal: (t) => {
          const claims = signer.verify(t);
          return claims && registryAudiences.has(claims.aud) ? claims.oid : undefined;
        },
      }),
    ]);
    stoppers.push(
      () => entra.close(),
      () => graph.close(),
      () => registry.close(),
    );

    // Each student: their clusters' worlds and API servers, their VM.
    await Promise.all(
      scenarios.map(async (scenario, index) => {
        const s: StudentServers = { scenario, externalIp: externalIpFor(index), worlds: new Map(), kube: new Map() };
        students.set(scenario.user, s);
        for (const cluster of scenario.azure.clusters) {
          const own = scenario.kubernetes?.cluster === cluster.name ? scenario : { ...scenario, kubernetes: null };
          const world = new ClusterWorld(
            { ...own, kubernetes: own.kubernetes ?? { cluster: cluster.name, loadBalancer: 'assigned', apply: '', deletedPods: [], greetings: [], helm: [] } },
            {
              externalIp: s.externalIp,
              replaceDelayMs: opts.replaceDelayMs,
            },
          );
          const token = `kube-${randomBytes(24).toString('base64url')}`;
          issued.push(token);
          const server = await startKubeApiServer({
            world,
            tls: localTls,
            token,
            faults: scenario.faults.kube,
            latencyMs: scenario.faults.latencyMs,
            userName: `clusterUser_${cluster.name}`,
            entra: cluster.entra ? signer : undefined,
            authorize: cluster.entra ? clusterAuthorizer(scenario.azure, tenancy, cluster) : undefined,
          });
          s.worlds.set(cluster.name, world);
          s.kube.set(cluster.name, { server, token });
          stoppers.push(
            () => server.close(),
            async () => world.dispose(),
          );
          await server.setRunning(apiAnswers(cluster));
        }
        if (scenario.vm) {
          s.vm = await startVm({ scenario, password: vmPassword.reveal() });
          stoppers.push(() => s.vm!.close());
        }
      }),
    );

    const frontRequests = new Map<string, number>();
    const front = await startFront({
      onRequest: (host) => {
        const user = ownerOfPublic(students, host)?.scenario.user ?? '';
        frontRequests.set(user, (frontRequests.get(user) ?? 0) + 1);
      },
      resolve: (host) => resolvePublic(students, host),
      faultsFor: (host) => {
        const s = ownerOfPublic(students, host);
        return s && { http: s.scenario.faults.http, latencyMs: s.scenario.faults.latencyMs };
      },
    });
    stoppers.push(() => front.close());
    // Where a student without a VM is mapped: nothing listens, and no other process can take the port.
    const closed = await holdClosedPort();
    stoppers.push(async () => closed.release());
    const closedPort = closed.port;

    const connectTo: Record<string, string> = {};
    for (const s of students.values()) {
      const host = vmHostOf(s.scenario.user);
      connectTo[`${host}:22`] = `127.0.0.1:${s.vm?.port ?? closedPort}`;
      connectTo[`${host}:80`] = `127.0.0.1:${s.vm?.httpPort ?? closedPort}`;
      connectTo[`${s.externalIp}:80`] = `127.0.0.1:${front.port}`;
      for (const r of s.scenario.azure.registries) connectTo[`${loginServer(r.name)}:443`] = `127.0.0.1:${registry.port}`;
    }
    // Registries that do not exist (a typo, the chart's azurezr.io) resolve nowhere, as on the internet.

    for (const r of registriesOf(scenarios)) {
      const c = registry.adminCredentials(r.name);
      issued.push(c.password);
    }

    const config: ClassConfig = {
      file: '(simulated lab)',
      roster: scenarios.map((s) => ({ user: s.user, resourceGroup: s.azure.resourceGroup })),
      resourceGroup: '{user}-rg',
      azure: {
        subscriptionId: SANDBOX_SUBSCRIPTION,
        endpoint: arm.url,
        credential: 'servicePrincipal',
        servicePrincipal: { tenantId: SANDBOX_TENANT, clientId: grader.clientId, clientSecret, authorityHost: entra.url },
        token: armToken,
        graphEndpoint: graph.url,
        requestsPerSecond: 1000,
      },
      vm: { host: vmHostOf('{user}'), port: 22, username: '{user}', password: vmPassword },
      kubernetes: { source: 'azure' },
      network: { connectTo, loopbackOnly: true },
      caPem: ca.certPem,
      // Loopback answers in milliseconds; the margin is for a loaded CI machine, not for the network.
      timeoutsMs: { vm: 10_000, azure: 15_000, registry: 10_000, kube: 10_000, http: 10_000 },
    };

    let stopped = false;
    return {
      config,
      entra: { url: entra.url, tenantId: SANDBOX_TENANT, clientId: grader.clientId, objectId: grader.objectId, signer },
      graph: { url: graph.url },
      caPem: ca.certPem,
      scenarios,
      kubeconfig,
      secrets: () => [...issued, ...entra.issued()],
      kubeRequests: (user) => [...(students.get(user)?.kube.values() ?? [])].flatMap((k) => k.server.requests),
      traffic(user) {
        const s = students.get(user);
        const kube = [...(s?.kube.values() ?? [])];
        const vm = s?.vm?.traffic();
        return {
          arm: arm.requests.filter((r) => r.user === user).length,
          registry: registry.requests.filter((r) => r.user === user).length,
          kube: kube.reduce((n, k) => n + k.server.requests.length, 0),
          kubeTls: kube.reduce((n, k) => n + k.server.tlsConnections, 0),
          ssh: { connections: vm?.sshConnections ?? 0, execs: vm?.execs ?? 0, sftp: vm?.sftpRequests ?? 0 },
          http: (vm?.httpRequests ?? 0) + (frontRequests.get(user) ?? 0),
        };
      },
      arm,
      registry,
      reload(next) {
        arm.setStudents(next);
        graph.setStudents(next);
        registry.setRegistries(registriesOf(next));
        for (const scenario of next) {
          const s = students.get(scenario.user);
          if (!s) continue; // a new user needs a restart: ports and config are fixed at start
          s.scenario = scenario;
          for (const [name, world] of s.worlds) {
            world.reload(
              scenario.kubernetes?.cluster === name ? scenario : { ...scenario, kubernetes: { cluster: name, loadBalancer: 'assigned', apply: '', deletedPods: [], greetings: [], helm: [] } },
            );
            const server = s.kube.get(name)?.server;
            const cluster = scenario.azure.clusters.find((c) => c.name === name);
            server?.configure({
              faults: scenario.faults.kube,
              latencyMs: scenario.faults.latencyMs,
              entra: cluster?.entra ? signer : null,
              authorize: cluster?.entra ? clusterAuthorizer(scenario.azure, tenancy, cluster) : null,
            });
            void server?.setRunning(!!cluster && apiAnswers(cluster)).catch(() => undefined); // a port taken meanwhile: it stays off
          }
          void s.vm?.reload(scenario);
        }
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.allSettled(stoppers.reverse().map((stop) => stop()));
      },
    };
  } catch (err) {
    await Promise.allSettled(stoppers.reverse().map((stop) => stop()));
    throw err;
  }
}

function ownerOfPublic(students: Map<string, StudentServers>, hostHeader: string): StudentServers | undefined {
  const { host } = parseHostHeader(hostHeader);
  for (const s of students.values()) {
    if (s.externalIp === host) return s;
  }
  return undefined;
}

function resolvePublic(students: Map<string, StudentServers>, hostHeader: string): AppHandler | undefined {
  const s = ownerOfPublic(students, hostHeader);
  if (!s) return undefined;
  for (const world of s.worlds.values()) {
    const handler = world.externalHandler(s.externalIp, 80);
    if (handler) return handler;
  }
  return undefined;
}

/** Operations during which AKS's control plane is not (or no longer) serving: first creation, `az aks start` and `az aks stop`. */
const API_DOWN_WHILE = new Set(['Creating', 'Starting', 'Stopping']);

/**
 * Whether a cluster's API server runs: not while it is stopped (AKS deallocates the control plane) nor
 * while it is being created, started or stopped; a cluster left Failed or Updating by a later change keeps answering.
 */
function apiAnswers(cluster: { powerState: string; provisioningState: string }): boolean {
  return cluster.powerState !== 'Stopped' && !API_DOWN_WHILE.has(cluster.provisioningState);
}
