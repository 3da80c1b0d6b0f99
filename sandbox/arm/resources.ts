/**
 * The ARM JSON of a student's resources, shaped like ARM's real answers (the examples
 * probes/azure/fixtures.test.ts serves: same keys at the top level and in `properties`, minus the ones
 * a student's lab resources would not have) plus what the grader reads that the examples lack
 * (powerState, identityProfile). Everything follows deterministically from the scenario.
 */
import { GRADER, type ScenarioAzure, type ScenarioCluster, type ScenarioRegistry, type ScenarioRoleAssignment } from '../scenario.js';
import { KUBERNETES_VERSION } from '../kube/objects.js';
import { adminCredentials, loginServer } from '../registry/credentials.js';
import { clusterId, clusterIdentity, graderIdentity, guidFrom, LOCATION, nodeResourceGroup, pullingObjectId, registryId, resourceGroupId, roleDefinitionId } from './ids.js';
import { BUILT_IN_ROLES } from './roles.js';

/** "v1.30.6" as the kube stand-in reports it; ARM writes versions without the "v" */
const K8S = KUBERNETES_VERSION.replace(/^v/, '');
const NODE_IMAGE = 'AKSUbuntu-2204gen2containerd-202411.12.0';
/** When the first resource was created: fixed, so answers are the same every run */
const CREATED = '2024-10-01T08:15:42.5260954Z';
const HOUR_MS = 3_600_000;

/**
 * When the scenario's `index`-th cluster or registry was created: in the order the scenario lists them,
 * an hour apart (a student's second `az aks create` comes after the first), each registry half an hour
 * after the cluster of the same place. Written as ARM writes times (seven fractional digits).
 */
export function createdTime(kind: 'cluster' | 'registry', index: number): string {
  const at = Date.parse(CREATED) + index * HOUR_MS + (kind === 'registry' ? HOUR_MS / 2 : 0);
  return new Date(at).toISOString().replace(/Z$/, '0954Z');
}

const eTag = (...parts: string[]): string => guidFrom('etag', ...parts);

export function resourceGroupJson(sub: string, rg: string) {
  return { id: resourceGroupId(sub, rg), name: rg, type: 'Microsoft.Resources/resourceGroups', location: LOCATION, properties: { provisioningState: 'Succeeded' } };
}

/** A subscription as `GET /subscriptions` lists it (Subscriptions_List, api-version 2019-11-01 and later), without tags. */
export function subscriptionJson(sub: string, tenantId: string) {
  return {
    id: `/subscriptions/${sub}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub,
    tenantId,
    displayName: 'Lab subscription',
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

/** What `az aks create` derives: first 10 characters of the name, 16 of the group, 6 of the subscription */
function dnsPrefix(sub: string, rg: string, cluster: string): string {
  const clean = (s: string, n: number) => s.replace(/[^A-Za-z0-9-]/g, '').slice(0, n);
  return `${clean(cluster, 10)}-${clean(rg, 16)}-${sub.slice(0, 6)}`;
}

/** The API server's public name; a kubeconfig for the cluster should point there (through connect-to). */
function clusterFqdn(sub: string, rg: string, cluster: string): string {
  return `${dnsPrefix(sub, rg, cluster)}-${guidFrom('fqdn', sub, rg.toLowerCase(), cluster.toLowerCase()).slice(0, 8)}.hcp.${LOCATION}.azmk8s.io`.toLowerCase();
}

function agentPoolProperties(sub: string, rg: string, c: ScenarioCluster) {
  return {
    count: c.nodeCount,
    vmSize: 'Standard_DS2_v2',
    osDiskSizeGB: 128,
    osDiskType: 'Managed',
    kubeletDiskType: 'OS',
    maxPods: 110,
    type: 'VirtualMachineScaleSets',
    enableAutoScaling: false,
    provisioningState: c.provisioningState,
    powerState: { code: c.powerState },
    orchestratorVersion: K8S,
    currentOrchestratorVersion: K8S,
    enableNodePublicIP: false,
    mode: 'System',
    osType: 'Linux',
    osSKU: 'Ubuntu',
    nodeImageVersion: NODE_IMAGE,
    upgradeSettings: { maxSurge: '10%' },
    eTag: eTag(sub, rg, c.name, 'nodepool1'),
  };
}

/**
 * A cluster has either managed identities (ARM: `identity` SystemAssigned, servicePrincipalProfile
 * "msi", a kubelet identity with its own object id) or a service principal (its client id only),
 * never both. Entra-integrated clusters show their managed AAD profile and no local accounts.
 */
export function clusterJson(sub: string, rg: string, c: ScenarioCluster, tenantId: string) {
  const identity = clusterIdentity(sub, rg, c.name, c.identity);
  const prefix = dnsPrefix(sub, rg, c.name);
  const fqdn = clusterFqdn(sub, rg, c.name);
  const mcRg = nodeResourceGroup(rg, c.name);
  return {
    id: clusterId(sub, rg, c.name),
    location: LOCATION,
    name: c.name,
    type: 'Microsoft.ContainerService/managedClusters',
    eTag: eTag(sub, rg, c.name),
    ...(identity.kind === 'msi' ? { identity: { type: 'SystemAssigned', principalId: identity.principalId, tenantId } } : {}),
    properties: {
      provisioningState: c.provisioningState,
      powerState: { code: c.powerState },
      kubernetesVersion: K8S,
      currentKubernetesVersion: K8S,
      dnsPrefix: prefix,
      fqdn,
      azurePortalFQDN: fqdn.replace('.hcp.', '.portal.hcp.'),
      agentPoolProfiles: [{ name: 'nodepool1', ...agentPoolProperties(sub, rg, c) }],
      linuxProfile: {
        adminUsername: 'azureuser',
        ssh: { publicKeys: [{ keyData: `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${Buffer.from(guidFrom('ssh', sub, rg, c.name)).toString('base64')} ${c.name}` }] },
      },
      servicePrincipalProfile: { clientId: identity.kind === 'msi' ? 'msi' : identity.appId },
      nodeResourceGroup: mcRg,
      enableRBAC: true,
      ...(c.entra ? { aadProfile: { managed: true, enableAzureRBAC: !!c.azureRbac, tenantID: tenantId }, disableLocalAccounts: true } : {}),
      maxAgentPools: 100,
      networkProfile: {
        networkPlugin: 'kubenet',
        loadBalancerSku: 'standard',
        loadBalancerProfile: {
          managedOutboundIPs: { count: 1 },
          effectiveOutboundIPs: [{ id: `/subscriptions/${sub}/resourceGroups/${mcRg}/providers/Microsoft.Network/publicIPAddresses/${guidFrom('ip', sub, rg, c.name)}` }],
          allocatedOutboundPorts: 0,
          idleTimeoutInMinutes: 30,
        },
        podCidr: '10.244.0.0/16',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
        outboundType: 'loadBalancer',
        podCidrs: ['10.244.0.0/16'],
        serviceCidrs: ['10.0.0.0/16'],
        ipFamilies: ['IPv4'],
      },
      ...(identity.kind === 'msi'
        ? { identityProfile: { kubeletidentity: { resourceId: identity.kubelet.resourceId, clientId: identity.kubelet.clientId, objectId: identity.kubelet.objectId } } }
        : {}),
    },
  };
}

export function agentPoolJson(sub: string, rg: string, c: ScenarioCluster) {
  return { id: `${clusterId(sub, rg, c.name)}/agentPools/nodepool1`, name: 'nodepool1', type: 'Microsoft.ContainerService/managedClusters/agentPools', properties: agentPoolProperties(sub, rg, c) };
}

/** roleAssignmentMode is absent from the 2025-04-01 registry answer and present in 2025-11-01. */
const carriesRoleAssignmentMode = (apiVersion: string): boolean => apiVersion > '2025-04-01';

/**
 * ACR fills `systemData` (AKS does not: its answers carry `systemData: null`). `created`: when the
 * registry was created and by whom (the student's sign-in name).
 */
export function registryJson(sub: string, rg: string, r: ScenarioRegistry, apiVersion: string, created: { at: string; by: string }) {
  return {
    id: registryId(sub, rg, r.name),
    name: r.name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: LOCATION,
    tags: {},
    sku: { name: r.sku, tier: r.sku },
    properties: {
      loginServer: loginServer(r.name),
      creationDate: created.at,
      provisioningState: 'Succeeded',
      adminUserEnabled: r.adminUserEnabled,
      networkRuleSet: r.sku === 'Premium' ? { defaultAction: 'Allow', ipRules: [] } : null,
      policies: {
        quarantinePolicy: { status: 'disabled' },
        trustPolicy: { type: 'Notary', status: 'disabled' },
        retentionPolicy: { days: 7, lastUpdatedTime: CREATED.replace('Z', '+00:00'), status: 'disabled' },
        exportPolicy: { status: 'enabled' },
        azureADAuthenticationAsArmPolicy: { status: 'enabled' },
      },
      encryption: { status: 'disabled' },
      status: null,
      dataEndpointEnabled: false,
      dataEndpointHostNames: [],
      privateEndpointConnections: [],
      publicNetworkAccess: 'Enabled',
      networkRuleBypassOptions: 'AzureServices',
      networkRuleBypassAllowedForTasks: false,
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
      ...(carriesRoleAssignmentMode(apiVersion) ? { roleAssignmentMode: r.roleAssignmentMode ?? 'LegacyRegistryPermissions' } : {}),
    },
    systemData: { createdBy: created.by, createdByType: 'User', createdAt: created.at, lastModifiedBy: created.by, lastModifiedByType: 'User', lastModifiedAt: created.at },
  };
}

/**
 * A resource as the resource group's generic list (Resources_ListByResourceGroup) shows it; with
 * `$expand=createdTime` (the one uniform source of creation times: AKS answers `systemData: null`)
 * it carries when it was created.
 */
export function genericResourceJson(resource: { id: string; name: string; type: string; createdTime: string }, expandCreatedTime: boolean) {
  const { createdTime, ...rest } = resource;
  return { ...rest, location: LOCATION, ...(expandCreatedTime ? { createdTime } : {}) };
}

export function registryCredentialsJson(r: ScenarioRegistry) {
  const c = adminCredentials(r.name);
  return {
    username: c.username,
    passwords: [
      { name: 'password', value: c.passwords[0] },
      { name: 'password2', value: c.passwords[1] },
    ],
  };
}

type AzureOfScenario = Pick<ScenarioAzure, 'resourceGroup' | 'clusters'>;

/** The scope id of a scenario role assignment: the resource group, or the cluster or registry it names. */
export function assignmentScope(sub: string, azure: AzureOfScenario, a: Pick<ScenarioRoleAssignment, 'scope'>): string {
  if (a.scope === 'resourceGroup') return resourceGroupId(sub, azure.resourceGroup);
  return azure.clusters.some((c) => c.name === a.scope) ? clusterId(sub, azure.resourceGroup, a.scope) : registryId(sub, azure.resourceGroup, a.scope);
}

/** The object id a role assignment names: the grader's, or the cluster's pulling identity (kubelet identity or service principal). */
export function assigneeObjectId(sub: string, azure: AzureOfScenario, assignee: string, tenantId: string): string {
  if (assignee === GRADER) return graderIdentity(tenantId).objectId;
  return pullingObjectId(clusterIdentity(sub, azure.resourceGroup, assignee, azure.clusters.find((c) => c.name === assignee)?.identity));
}

/**
 * The ABAC condition that limits a repository role to `repositories`, as the portal's visual editor
 * writes it (and ARM returns it, on one line): the read actions are allowed only when the request's
 * repository is one of them.
 */
export function repositoryCondition(repositories: readonly string[]): string {
  const names = repositories.map((r) => `@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase '${r}'`).join(' OR ');
  return `( (  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})  AND  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'}) ) OR  (  ${names} ))`;
}

export function roleAssignmentJson(sub: string, azure: AzureOfScenario, a: ScenarioRoleAssignment, tenantId: string) {
  const rg = azure.resourceGroup;
  const scope = assignmentScope(sub, azure, a);
  const name = guidFrom('role-assignment', sub, rg.toLowerCase(), a.role, a.assignee.toLowerCase(), a.scope.toLowerCase());
  return {
    properties: {
      roleDefinitionId: roleDefinitionId(sub, BUILT_IN_ROLES[a.role].guid),
      principalId: assigneeObjectId(sub, azure, a.assignee, tenantId),
      principalType: 'ServicePrincipal',
      scope,
      ...(a.repositories ? { condition: repositoryCondition(a.repositories), conditionVersion: '2.0' } : {}),
    },
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name,
  };
}

/** `idPrefix`: "" for the tenant-level form, "/subscriptions/<sub>" when asked at or under a subscription */
export function roleDefinitionJson(idPrefix: string, role: ScenarioRoleAssignment['role']) {
  const r = BUILT_IN_ROLES[role];
  return {
    properties: {
      roleName: role,
      type: 'BuiltInRole',
      description: r.description,
      assignableScopes: ['/'],
      permissions: [{ actions: r.actions, notActions: [], dataActions: r.dataActions, notDataActions: [] }],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2021-11-11T20:13:47.8628684Z',
      createdBy: null,
      updatedBy: null,
    },
    id: `${idPrefix}/providers/Microsoft.Authorization/roleDefinitions/${r.guid}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: r.guid,
  };
}

export function userCredentialsJson(kubeconfig: string) {
  return { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig, 'utf8').toString('base64') }] };
}
