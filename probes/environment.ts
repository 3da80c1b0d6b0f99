/**
 * Builds each student's probes from the class config. Shared per run: the network policy, the ARM
 * clients (with their class-wide rate limit) and the credential; per student: one SSH connection,
 * one registry client, one Kubernetes connection (its kubeconfig fetched lazily from Azure, or a
 * file for self-checks), one HTTP client. What a student has not got is reported as `unavailable`
 * with the line that would make it reachable.
 *
 * Each kind of probe is built on its first call (probes/lazy.ts), so its client library loads then:
 * a self-check pays only for the clients it uses, and no start pays for Azure's, Kubernetes' or ssh2.
 */
import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import { armScope } from '../core/arm-endpoint.js';
import type { ClassConfig } from '../core/config.js';
import type { LabProfile } from '../core/profile.js';
import type { OpenedEnvironment } from '../core/class-run.js';
import type { Target } from '../core/target.js';
import type { KnownLists } from './azure/probe.js';
import { credentialFor } from './azure/token.js';
import type { KubeProbeOptions } from './kube/probe.js';
import type { TokenFor } from './kube/kubeconfig.js';
import type { Workloads } from './student-cluster.js';
import { httpProbe } from './http/index.js';
import { lazyProbe, onFirstCall } from './lazy.js';
import { NetworkPolicy } from './net.js';
import { kubeDescription, ProbeError, sshDescription, type AzureProbe, type HttpProbe, type KubeProbe, type Probes, type RegistryProbe, type Unavailable, type VmProbe } from './types.js';

export interface RuntimeOptions {
  profile: LabProfile;
  allowDisruptive: boolean;
  allowExecCredentials: boolean;
  /** Inject a credential (tests, the simulated lab) instead of the config's. */
  credential?: TokenCredential;
  /** --local: grade the VM exercises on this machine, in this home folder. */
  localHome?: string;
  /** The --wait budget: transient HTTP failures (Spring still starting) are retried within it. */
  waitMs?: number;
  /** The line that would make a probe reachable, when the caller knows better (a self-check names `az login`). */
  unavailable?: Unavailable;
  /** Overrides MIN_HTTP_RETRY_MS (tests of large simulated classes shorten it). */
  minHttpRetryMs?: number;
}

/** Even a single snapshot retries a starting app this long: pods are Ready before Spring answers. */
const MIN_HTTP_RETRY_MS = 5_000;

export interface Runtime {
  openEnvironment(target: Target): Promise<OpenedEnvironment>;
  /** The class pre-flight dials VMs through the same policy as the probes. */
  readonly policy: NetworkPolicy;
  /** The class pre-flight asks it for an ARM token once (absent: no Azure in the config). */
  readonly credential?: TokenCredential;
  /** The token scope of the configured ARM endpoint. */
  readonly armScope: string;
}

const MAX_OUTPUT_BYTES = 256 * 1024;

export function createRuntime(config: ClassConfig, opts: RuntimeOptions): Runtime {
  const trustedHosts = [config.azure?.endpoint ? new URL(config.azure.endpoint).hostname : undefined, config.vm?.host].filter((h): h is string => !!h && !h.includes('{user}'));
  const { connectTo, loopbackOnly, allowLoopback } = config.network;
  const policy = new NetworkPolicy({ connectTo, loopbackOnly, allowLoopback, trustedHosts });
  const timeout = (kind: keyof ClassConfig['timeoutsMs'], fallback: number) => config.timeoutsMs[kind] ?? fallback;

  const scope = armScope(config.azure?.endpoint);
  const azureSettings = config.azure;
  const credential: TokenCredential | undefined = azureSettings && (opts.credential ?? credentialFor(azureSettings, config.caPem));
  // The class's ARM clients and Graph lookup, made when the first student's Azure probe is first asked.
  const azureShared = onFirstCall(async () => {
    const [{ createAzureClients }, { servicePrincipalLookup }] = await Promise.all([import('./azure/clients.js'), import('./azure/graph.js')]);
    const settings = azureSettings!;
    const azureTimeout = timeout('azure', 30_000);
    return {
      clients: createAzureClients({
        credential: credential!,
        subscriptionId: settings.subscriptionId,
        endpoint: settings.endpoint,
        ca: config.caPem,
        requestsPerSecond: settings.requestsPerSecond,
        attemptTimeoutMs: azureTimeout,
      }),
      graphLookup: servicePrincipalLookup({ credential: credential!, endpoint: settings.graphEndpoint, ca: config.caPem, timeoutMs: azureTimeout }),
    };
  });
  const tokenFor: TokenFor | undefined = credential
    ? async (scope) => {
        const t = await credential!.getToken(scope);
        if (!t) throw new Error(`the Azure credential gave no token for ${scope}`);
        return t.token;
      }
    : undefined;
  const aadToken = credential
    ? async () => {
        const t = await credential!.getToken(scope);
        if (!t) throw new ProbeError('registry', 'the Azure credential gave no token for the registry token exchange');
        return t.token;
      }
    : undefined;

  return {
    policy,
    credential,
    armScope: scope,
    async openEnvironment(target) {
      const probes: Probes = {};
      const unavailable: Unavailable = {};
      const closers: Array<() => Promise<void>> = [];

      const localHome = opts.localHome ?? target.localHome;
      if (localHome) {
        const { localVm } = await import('./vm/local.js');
        probes.vm = localVm({ home: localHome, timeoutMs: timeout('vm', 20_000), maxOutputBytes: MAX_OUTPUT_BYTES });
      } else if (target.vm) {
        const vmTarget = target.vm;
        const vm = lazyProbe<VmProbe>(
          async () => (await import('./vm/ssh.js')).sshVm({ target: vmTarget, policy, timeoutMs: timeout('vm', 20_000), maxOutputBytes: MAX_OUTPUT_BYTES }),
          ['connect', 'run', 'readFile', 'stat'],
          { description: sshDescription(vmTarget) },
        );
        probes.vm = vm;
        closers.push(() => vm.close());
      } else {
        unavailable.vm = opts.unavailable?.vm ?? 'no VM access: add vm.host to the class config, or run lab-grade --local on the VM itself';
      }

      let azure: AzureProbe | undefined;
      let known: KnownLists | undefined;
      if (credential && azureSettings) {
        const subscriptionId = target.subscriptionId ?? azureSettings.subscriptionId;
        // The student's grading is over (their deadline included) when the environment closes: ARM is asked nothing more.
        const over = new AbortController();
        closers.push(async () => over.abort(new Error(`${target.user}'s grading is over`)));
        const built = onFirstCall(async () => {
          const [{ azureProbe }, { clients, graphLookup }] = await Promise.all([import('./azure/probe.js'), azureShared()]);
          return azureProbe({ subscriptionId, resourceGroup: target.resourceGroup, clients, servicePrincipalObjectId: graphLookup, signal: over.signal });
        });
        azure = lazyProbe<AzureProbe>(built, ['resourceGroup', 'managedClusters', 'registries', 'registryCredentials', 'roleAssignments', 'clusterUserKubeconfig'], { subscriptionId });
        probes.azure = azure;
        // `known`: the lists the checks already fetched, not a second one.
        known = { registries: async () => (await built()).known.registries(), managedClusters: async () => (await built()).known.managedClusters() };
        const registryCredentials = azure.registryCredentials.bind(azure);
        const lists = known;
        const registry = lazyProbe<RegistryProbe>(
          async () => {
            const { adminCredentialsFrom, registryFactsFrom, registryProbe } = await import('./registry/index.js');
            return registryProbe({
              policy,
              ca: config.caPem,
              credentialsFor: adminCredentialsFrom({ ...lists, registryCredentials }),
              registryFacts: registryFactsFrom(lists),
              aadToken,
              timeoutMs: timeout('registry', 15_000),
            });
          },
          ['tags', 'manifestDigest'],
          {},
        );
        probes.registry = registry;
        closers.push(() => registry.close());
      } else {
        unavailable.azure = opts.unavailable?.azure ?? 'no Azure access: run az login (or set azure.subscription in the class config)';
        unavailable.registry = opts.unavailable?.registry ?? unavailable.azure;
      }

      const namespace = config.kubernetes.namespace ?? opts.profile.expect.namespace;
      const kubeOptions: Omit<KubeProbeOptions, 'kubeconfig'> = {
        namespace,
        allowDisruptive: opts.allowDisruptive,
        allowExec: opts.allowExecCredentials,
        timeoutMs: timeout('kube', 20_000),
        policy,
        tokenFor,
      };
      let kube: (KubeProbe & { close(): Promise<void> }) | undefined;
      const kubeMethods = ['cluster', 'reach', 'snapshot', 'podProxyGet', 'listPods', 'deletePod'] as const;
      const { expect } = opts.profile;
      const labDeployments = [expect.app.deployment, expect.api.deployment];
      const armProbe = azure;
      const lists = known;
      // The student's cluster among those in their group, from Azure: chosen once (a failure is not kept:
      // a later polling round may find the cluster).
      const fromAzure =
        armProbe && lists
          ? (kubeProbe: KubeProbeFactory) =>
              onFirstCall(async () => {
                const { studentCluster } = await import('./student-cluster.js');
                return studentCluster({
                  clusters: lists.managedClusters,
                  kubeconfigOf: (name) => armProbe.clusterUserKubeconfig(name),
                  workloads: (text) => workloadsIn(kubeProbe, async () => text, kubeOptions),
                  labDeployments,
                  registries: lists.registries,
                  roleAssignments: () => armProbe.roleAssignments(),
                  pullRoles: [...expect.pullRoles, ...expect.abacPullRoles],
                });
              })
          : undefined;
      if (target.kubeconfig) {
        // The operator's own kubeconfig (a self-check's, the class config's): its context is the cluster,
        // unless it is not the student's or another context holds the lab's work (kubeconfig-cluster.ts).
        const file = target.kubeconfig;
        kube = lazyProbe<KubeProbe>(
          async () => {
            const [{ kubeProbe }, { kubeconfigWithEntra }, { kubeconfigCluster }] = await Promise.all([import('./kube/probe.js'), import('./kube/kubeconfig.js'), import('./kubeconfig-cluster.js')]);
            const fromFile = (context = file.context) => kubeconfigWithEntra({ path: file.path, context }, { allowExec: opts.allowExecCredentials, policy, trustFiles: true, tokenFor });
            const azureChoice = fromAzure?.(kubeProbe);
            const chosen = onFirstCall(() =>
              kubeconfigCluster({
                path: file.path,
                context: file.context,
                readText: (path) => readFileSync(path, 'utf8'),
                workloads: (context) => workloadsIn(kubeProbe, () => fromFile(context), { ...kubeOptions, trustFiles: true }),
                labDeployments,
                ...(armProbe && lists && azureChoice
                  ? { azure: { clusters: lists.managedClusters, kubeconfigOf: (name: string) => armProbe.clusterUserKubeconfig(name), fromAzure: azureChoice } }
                  : {}),
              }),
            );
            return kubeProbe({
              ...kubeOptions,
              trustFiles: true,
              async kubeconfig() {
                const c = await chosen();
                // Azure's kubeconfig is not the operator's: the files it might name are not read.
                if (c && 'fromAzure' in c) return kubeconfigWithEntra(await c.fromAzure.kubeconfig(), { allowExec: opts.allowExecCredentials, policy, tokenFor });
                return fromFile(c?.context);
              },
              async cluster() {
                const c = await chosen();
                return c && { name: c.name, ...(c.id ? { id: c.id } : {}), reason: c.reason, candidates: c.candidates, ...(c.kubeconfigNotice ? { kubeconfigNotice: c.kubeconfigNotice } : {}) };
              },
            });
          },
          kubeMethods,
          { description: kubeDescription(namespace) },
        );
      } else if (fromAzure) {
        kube = lazyProbe<KubeProbe>(
          async () => {
            const { kubeProbe } = await import('./kube/probe.js');
            const chosen = fromAzure(kubeProbe);
            return kubeProbe({
              ...kubeOptions,
              kubeconfig: async () => (await chosen()).kubeconfig(),
              cluster: async () => {
                const { name, id, reason, candidates } = await chosen();
                return { name, id, reason, candidates };
              },
            });
          },
          kubeMethods,
          { description: kubeDescription(namespace) },
        );
      }
      if (kube) {
        probes.kube = kube;
        closers.push(() => kube.close());
      } else {
        unavailable.kube = opts.unavailable?.kube ?? 'no cluster access: run az aks get-credentials --name <cluster> --resource-group <group>';
      }

      const http: HttpProbe & { close(): Promise<void> } = httpProbe({
        policy,
        ca: config.caPem,
        timeouts: { connect: 5_000, headers: timeout('http', 15_000), body: timeout('http', 15_000) },
        maxBodyBytes: 512 * 1024,
        retry: { budgetMs: Math.max(opts.waitMs ?? 0, opts.minHttpRetryMs ?? MIN_HTTP_RETRY_MS), baseDelayMs: 500 },
      });
      probes.http = http;
      closers.push(() => http.close());

      return {
        probes,
        unavailable,
        close: async () => {
          await Promise.allSettled(closers.map((c) => c()));
        },
      };
    },
  };
}

type KubeProbeFactory = typeof import('./kube/probe.js').kubeProbe;

/** The Deployments and pod images a cluster's API lists, through a short-lived probe (choosing among a student's clusters). */
async function workloadsIn(kubeProbe: KubeProbeFactory, kubeconfig: KubeProbeOptions['kubeconfig'], options: Omit<KubeProbeOptions, 'kubeconfig'>): Promise<Workloads> {
  const probe = kubeProbe({ ...options, allowDisruptive: false, kubeconfig });
  try {
    const snap = await probe.snapshot();
    // Deployments it may not list are not known to be absent.
    if (snap.unreadable.deployments) throw new ProbeError('kube', snap.unreadable.deployments);
    const containers = snap.pods.flatMap((p) => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])]);
    return { deployments: snap.deployments.map((d) => d.metadata?.name ?? ''), images: containers.flatMap((c) => (c.image ? [c.image] : [])) };
  } finally {
    await probe.close();
  }
}
