/**
 * The Azure probe of one student: their resource group, the clusters and registries in it, role
 * assignments that reach them, admin credentials and the user kubeconfig. It fetches and normalises;
 * checks decide. No result is cached here (the engine's session memoises per polling round); only
 * role names are cached, for the run, in the shared clients.
 */
import type { TokenCredential } from '@azure/core-auth';
import { createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { AgentPool } from '@azure/arm-containerservice';
import { getContinuationToken, type RoleAssignment } from '@azure/arm-authorization';
import { ProbeError, type AzureProbe, type ManagedClusterFacts, type RegistryFacts, type ResourceGroupFacts, type RoleAssignmentFacts } from '../types.js';
import { createAzureClients, type AzureClients } from './clients.js';
import { allPages } from './paging.js';
import { tokenIdentity } from './token.js';
import { armError, errorCode, statusOf, type ArmCall } from './errors.js';
import { clusterFacts, kubeconfigText, registryCredentialFacts, registryFacts, roleAssignmentFacts, type PrincipalLookup } from './map.js';
import { armScope } from '../../core/arm-endpoint.js';
import { errorMessage } from '../../core/errors.js';
import type { TokenBucket } from './policies.js';

export interface AzureProbeOptions {
  subscriptionId: string;
  resourceGroup: string;
  /** The run's shared clients; made here (from the fields below) when absent. */
  clients?: AzureClients;
  credential?: TokenCredential;
  endpoint?: string;
  ca?: string | string[];
  limiter?: TokenBucket;
  /** Object id of a service principal from its app (client) id, through Microsoft Graph; ARM cannot tell it. */
  servicePrincipalObjectId?: (clientId: string) => Promise<PrincipalLookup>;
  /**
   * Fires when the student's grading is over: no list asks ARM for another page, and the requests that carry
   * it are aborted (all but a list's later pages: the newer SDKs send those without the caller's options).
   */
  signal?: AbortSignal;
}

const RESOURCE_GROUP_API = '2021-04-01';

const isGroupMissing = (err: unknown) => statusOf(err) === 404 && errorCode(err) === 'ResourceGroupNotFound';

/** Lists already fetched, for reads on the probe's own behalf (see `latest` below). */
export interface KnownLists {
  registries(): Promise<RegistryFacts[]>;
  managedClusters(): Promise<ManagedClusterFacts[]>;
}

export function azureProbe(opts: AzureProbeOptions): AzureProbe & { known: KnownLists } {
  const clients =
    opts.clients ??
    createAzureClients({
      credential: opts.credential ?? missing('credential'),
      subscriptionId: opts.subscriptionId,
      endpoint: opts.endpoint,
      ca: opts.ca,
      limiter: opts.limiter,
    });
  const { containerService, containerRegistry, authorization } = clients.forSubscription(opts.subscriptionId);
  const rg = opts.resourceGroup;
  const signal = opts.signal;
  /** Every page of an SDK list, by the one paging rule (./paging.ts); `nextLinkOf` for the autorest-style authorization client. */
  const collect = <T>(list: { byPage(): AsyncIterable<T[]> }, what: string, nextLinkOf?: (page: object) => string | undefined): Promise<T[]> =>
    allPages(list.byPage(), { endpoint: clients.endpoint, what, signal, nextLinkOf });
  const rgId = `/subscriptions/${opts.subscriptionId}/resourceGroups/${rg}`;
  const provider = (type: string, name?: string) => `${rgId}/providers/${type}${name ? `/${name}` : ''}`;

  let identity: Promise<string> | undefined;
  const who = () =>
    (identity ??= clients.credential
      .getToken(armScope(clients.endpoint))
      .then((t) => (t && tokenIdentity(t.token)) ?? "the grader's identity")
      .catch(() => "the grader's identity"));

  async function arm<T>(call: ArmCall, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      throw armError(err, call, status === 401 || status === 403 ? await who() : undefined, clients.endpoint);
    }
  }

  /** A raw GET through the same pipeline (auth, retries, rate limit; answers >= 400 throw). */
  async function get(path: string, apiVersion: string, query: Record<string, string> = {}): Promise<PipelineResponse> {
    const params = new URLSearchParams({ 'api-version': apiVersion, ...query });
    return authorization.sendRequest(createPipelineRequest({ url: `${clients.endpoint}${path}?${params.toString()}`, method: 'GET', abortSignal: signal }));
  }

  /**
   * When each cluster was created, by resource id (lower case). AKS answers `systemData: null`, so the
   * one uniform source is the group's resource list with `$expand=createdTime`. A failure leaves the
   * times unknown: they only break a tie between clusters, never decide a grade.
   */
  async function clusterCreationTimes(): Promise<Map<string, string>> {
    try {
      const resources = await clients.list<{ id?: string; createdTime?: string }>(`${rgId}/resources`, RESOURCE_GROUP_API, {
        query: { $filter: "resourceType eq 'Microsoft.ContainerService/managedClusters'", $expand: 'createdTime' },
        signal,
      });
      const times = resources.flatMap((r) => (r.id && r.createdTime && !Number.isNaN(Date.parse(r.createdTime)) ? [[r.id.toLowerCase(), new Date(r.createdTime).toISOString()] as const] : []));
      return new Map(times);
    } catch {
      return new Map();
    }
  }

  const listClusters = () =>
    arm({ action: 'Microsoft.ContainerService/managedClusters/read', scope: rgId }, async () => {
      try {
        return await collect(containerService.managedClusters.listByResourceGroup(rg, { abortSignal: signal }), `the clusters of ${rgId}`);
      } catch (err) {
        if (isGroupMissing(err)) return [];
        throw err;
      }
    });

  const listRegistries = () =>
    arm({ action: 'Microsoft.ContainerRegistry/registries/read', scope: rgId }, async () => {
      try {
        return (await collect(containerRegistry.registries.listByResourceGroup(rg, { abortSignal: signal }), `the registries of ${rgId}`)).map(registryFacts);
      } catch (err) {
        if (isGroupMissing(err)) return [];
        throw err;
      }
    });

  /**
   * The latest answer of each list the session asked for: reads the probe makes on its own behalf (the
   * registry scopes of roleAssignments; the registry credentials and the kubeconfig, through `known`)
   * reuse it rather than listing again (one list per student per polling round, not three). A failed
   * list is forgotten, so the next read asks ARM again.
   */
  const latest: { registries?: Promise<RegistryFacts[]>; clusters?: Promise<ManagedClusterFacts[]> } = {};
  const remember = <K extends keyof typeof latest>(key: K, p: NonNullable<(typeof latest)[K]>): NonNullable<(typeof latest)[K]> => {
    latest[key] = p;
    p.catch(() => {
      if (latest[key] === p) delete latest[key];
    });
    return p;
  };
  const registries = () => remember('registries', listRegistries());

  async function fetchClusters(): Promise<ManagedClusterFacts[]> {
    const clusters = await listClusters();
    // Creation times tell apart only several clusters: one list call, made only then.
    const created = clusters.length > 1 ? await clusterCreationTimes() : new Map<string, string>();
    return Promise.all(
      clusters.map(async (mc) => {
        let pools: AgentPool[] | undefined;
        if (!mc.agentPoolProfiles?.length && mc.name) {
          pools = await arm({ action: 'Microsoft.ContainerService/managedClusters/agentPools/read', scope: mc.id ?? rgId }, () =>
            collect(containerService.agentPools.list(rg, mc.name!, { abortSignal: signal }), `the agent pools of ${mc.id ?? mc.name}`),
          );
        }
        const clientId = mc.servicePrincipalProfile?.clientId;
        const lookup = opts.servicePrincipalObjectId;
        const principal = clientId && clientId !== 'msi' && lookup ? await lookup(clientId).catch((err: unknown) => ({ unresolved: errorMessage(err) })) : undefined;
        const createdAt = created.get((mc.id ?? '').toLowerCase());
        return { ...clusterFacts(mc, pools, principal), ...(createdAt ? { createdAt } : {}) };
      }),
    );
  }
  const managedClusters = () => remember('clusters', fetchClusters());

  const known: KnownLists = {
    registries: () => latest.registries ?? registries(),
    managedClusters: () => latest.clusters ?? managedClusters(),
  };

  return {
    subscriptionId: opts.subscriptionId,
    known,

    async resourceGroup(): Promise<ResourceGroupFacts> {
      return arm({ action: 'Microsoft.Resources/subscriptions/resourceGroups/read', scope: rgId }, async () => {
        try {
          const res = await get(`/subscriptions/${opts.subscriptionId}/resourcegroups/${encodeURIComponent(rg)}`, RESOURCE_GROUP_API);
          const body = JSON.parse(res.bodyAsText ?? '{}') as { id?: string; name?: string; location?: string };
          return { name: body.name ?? rg, exists: true, ...(body.id ? { id: body.id } : {}), ...(body.location ? { location: body.location } : {}) };
        } catch (err) {
          if (isGroupMissing(err)) return { name: rg, exists: false };
          if (statusOf(err) !== 404) throw err;
          // A 404 that is not ResourceGroupNotFound (an ARM stand-in without this route): listing tells.
          try {
            await collect(containerService.managedClusters.listByResourceGroup(rg, { abortSignal: signal }), `the clusters of ${rgId}`);
            return { name: rg, exists: true, id: rgId };
          } catch (listErr) {
            if (isGroupMissing(listErr)) return { name: rg, exists: false };
            throw listErr;
          }
        }
      });
    },

    managedClusters,

    registries,

    async registryCredentials(registryName: string) {
      return arm({ action: 'Microsoft.ContainerRegistry/registries/listCredentials/action', scope: provider('Microsoft.ContainerRegistry/registries', registryName) }, async () =>
        registryCredentialFacts(await containerRegistry.registries.listCredentials(rg, registryName, { abortSignal: signal })),
      );
    },

    async roleAssignments(): Promise<RoleAssignmentFacts[]> {
      const action = 'Microsoft.Authorization/roleAssignments/read';
      const scopes = [rgId, ...(await known.registries()).map((r: RegistryFacts) => r.id).filter(Boolean)];
      const lists = await Promise.all(
        scopes.map((scope, i) =>
          arm({ action, scope }, () =>
            // At the group: everything at, above and below it; on a registry: at and above (dupes are merged).
            collect(
              authorization.roleAssignments.listForScope(scope.replace(/^\/+/, ''), { abortSignal: signal, ...(i === 0 ? {} : { filter: 'atScope()' }) }),
              `the role assignments of ${scope}`,
              getContinuationToken,
            ),
          ),
        ),
      );
      const byId = new Map<string, RoleAssignment>();
      for (const ra of lists.flat()) byId.set((ra.id ?? `${ra.scope}|${ra.principalId}|${ra.roleDefinitionId}`).toLowerCase(), ra);
      return Promise.all([...byId.values()].map(async (ra) => roleAssignmentFacts(ra, ra.roleDefinitionId ? await clients.roleNames.resolve(authorization, ra.roleDefinitionId) : undefined)));
    },

    async clusterUserKubeconfig(clusterName: string): Promise<string> {
      const scope = provider('Microsoft.ContainerService/managedClusters', clusterName);
      const results = await arm({ action: 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action', scope }, () =>
        containerService.managedClusters.listClusterUserCredentials(rg, clusterName, { abortSignal: signal }),
      );
      const text = kubeconfigText(results);
      if (!text) throw new ProbeError('azure', `ARM returned no user kubeconfig for cluster ${clusterName}`, { scope });
      return text;
    },
  };
}

function missing(what: string): never {
  throw new Error(`azureProbe: give either clients or a ${what}`);
}
