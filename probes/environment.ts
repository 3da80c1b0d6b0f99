/**
 * Builds each student's probes from the class config. Shared per run: the network policy, the ARM
 * clients (with their class-wide rate limit) and the credential; per student: one SSH connection,
 * one registry client, one Kubernetes connection (its kubeconfig fetched lazily from Azure, or a
 * file for self-checks), one HTTP client. What a student has not got is reported as `unavailable`
 * with the line that would make it reachable.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { ClassConfig } from '../core/config.js';
import type { LabProfile } from '../core/profile.js';
import type { OpenedEnvironment } from '../core/class-run.js';
import type { Target } from '../core/target.js';
import { azureProbe, createAzureClients, credentialFor, PUBLIC_ARM_ENDPOINT, type AzureClients, type KnownLists } from './azure/index.js';
import { httpProbe } from './http/index.js';
import { kubeProbe } from './kube/index.js';
import { kubeconfigWithEntra, type TokenFor } from './kube/kubeconfig.js';
import { studentCluster, type StudentCluster } from './student-cluster.js';
import { NetworkPolicy } from './net.js';
import { adminCredentialsFrom, registryProbe } from './registry/index.js';
import { servicePrincipalLookup } from './azure/graph.js';
import { ProbeError, type AzureProbe, type Probes, type Unavailable } from './types.js';
import { localVm } from './vm/local.js';
import { sshVm } from './vm/ssh.js';

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

  const armScope = `${(config.azure?.endpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, '')}/.default`;
  let clients: AzureClients | undefined;
  let credential: TokenCredential | undefined;
  if (config.azure) {
    credential = opts.credential ?? credentialFor(config.azure, config.caPem);
    clients = createAzureClients({
      credential,
      subscriptionId: config.azure.subscriptionId,
      endpoint: config.azure.endpoint,
      ca: config.caPem,
      requestsPerSecond: config.azure.requestsPerSecond,
      attemptTimeoutMs: timeout('azure', 30_000),
    });
  }
  const graphLookup = credential && config.azure ? servicePrincipalLookup({ credential, endpoint: config.azure.graphEndpoint, ca: config.caPem, timeoutMs: timeout('azure', 30_000) }) : undefined;
  const tokenFor: TokenFor | undefined = credential
    ? async (scope) => {
        const t = await credential!.getToken(scope);
        if (!t) throw new Error(`the Azure credential gave no token for ${scope}`);
        return t.token;
      }
    : undefined;
  const aadToken = credential
    ? async () => {
        const t = await credential!.getToken(armScope);
        if (!t) throw new ProbeError('registry', 'the Azure credential gave no token for the registry token exchange');
        return t.token;
      }
    : undefined;

  return {
    policy,
    credential,
    armScope,
    async openEnvironment(target) {
      const probes: Probes = {};
      const unavailable: Unavailable = {};
      const closers: Array<() => Promise<void>> = [];

      if (opts.localHome ?? target.localHome) {
        probes.vm = localVm({ home: (opts.localHome ?? target.localHome)!, timeoutMs: timeout('vm', 20_000), maxOutputBytes: MAX_OUTPUT_BYTES });
      } else if (target.vm) {
        const vm = sshVm({ target: target.vm, policy, timeoutMs: timeout('vm', 20_000), maxOutputBytes: MAX_OUTPUT_BYTES });
        probes.vm = vm;
        closers.push(() => vm.close());
      } else {
        unavailable.vm = opts.unavailable?.vm ?? 'no VM access: add vm.host to the class config, or run lab-grade --local on the VM itself';
      }

      let azure: (AzureProbe & { known: KnownLists }) | undefined;
      if (clients && config.azure) {
        azure = azureProbe({ subscriptionId: target.subscriptionId ?? config.azure.subscriptionId, resourceGroup: target.resourceGroup, clients, servicePrincipalObjectId: graphLookup });
        probes.azure = azure;
        // `known`: the registry list the checks already fetched, not a second one.
        const registry = registryProbe({
          policy,
          ca: config.caPem,
          credentialsFor: adminCredentialsFrom({ ...azure.known, registryCredentials: azure.registryCredentials }),
          aadToken,
          timeoutMs: timeout('registry', 15_000),
        });
        probes.registry = registry;
        closers.push(() => registry.close());
      } else {
        unavailable.azure = opts.unavailable?.azure ?? 'no Azure access: run az login (or set azure.subscription in the class config)';
        unavailable.registry = opts.unavailable?.registry ?? unavailable.azure;
      }

      const namespace = config.kubernetes.namespace ?? opts.profile.expect.namespace;
      const kubeOptions = { namespace, allowDisruptive: opts.allowDisruptive, allowExec: opts.allowExecCredentials, timeoutMs: timeout('kube', 20_000), policy, tokenFor };
      let kube: ReturnType<typeof kubeProbe> | undefined;
      if (target.kubeconfig) {
        // The operator's own kubeconfig (a self-check's, the class config's): its context is the cluster.
        kube = kubeProbe({ ...kubeOptions, trustFiles: true, kubeconfig: () => kubeconfigWithEntra(target.kubeconfig!, { allowExec: opts.allowExecCredentials, policy, trustFiles: true, tokenFor }) });
      } else if (azure) {
        const armProbe = azure;
        let choice: Promise<StudentCluster> | undefined;
        const chosen = () =>
          (choice ??= studentCluster({
            clusters: armProbe.known.managedClusters,
            kubeconfigOf: (name) => armProbe.clusterUserKubeconfig(name),
            deploymentNames: (text) => deploymentNamesIn(text, kubeOptions),
            labDeployments: [opts.profile.expect.app.deployment, opts.profile.expect.api.deployment],
          }).catch((err) => {
            choice = undefined; // a later polling round may find the cluster
            throw err;
          }));
        kube = kubeProbe({
          ...kubeOptions,
          kubeconfig: async () => (await chosen()).kubeconfig(),
          cluster: async () => {
            const { name, reason, candidates } = await chosen();
            return { name, reason, candidates };
          },
        });
      }
      if (kube) {
        probes.kube = kube;
        closers.push(() => kube.close());
      } else {
        unavailable.kube = opts.unavailable?.kube ?? 'no cluster access: run az aks get-credentials --name <cluster> --resource-group <group>';
      }

      const http = httpProbe({
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

/** The Deployments a cluster's API lists, through a short-lived probe (choosing among a student's clusters). */
async function deploymentNamesIn(kubeconfig: string, options: Omit<Parameters<typeof kubeProbe>[0], 'kubeconfig'>): Promise<string[]> {
  const probe = kubeProbe({ ...options, allowDisruptive: false, kubeconfig: async () => kubeconfig });
  try {
    return (await probe.snapshot()).deployments.map((d) => d.metadata?.name ?? '');
  } finally {
    await probe.close();
  }
}
