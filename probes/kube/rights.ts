/**
 * What an API server's RBAC refusal says the grader's own identity lacks, and the command that grants
 * it. Kubernetes words a refusal `pods is forbidden: User "<name>" cannot list resource "pods" in API
 * group "" in the namespace "default"`; AKS's Azure RBAC webhook adds `: User does not have access to
 * the resource in Azure. Update role assignment to allow access.` With that, an Azure role on the
 * cluster grants the right; without it, a ClusterRoleBinding in the cluster does.
 */
import type { MissingRight } from '../types.js';

/** The cluster a probe reads: its name, and its ARM resource id when it was found through Azure. */
export interface ClusterRef {
  name: string;
  id?: string;
}

const FORBIDDEN = /is forbidden: User "([^"]+)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)" (?:in the namespace "[^"]*"|at the cluster scope)(?:: (.*))?$/s;
const AZURE_RBAC = /access to the resource in Azure/i;
const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Everything the grader reads, as `kubectl create clusterrole --resource` names it (the pod proxy: ex6.api.replicas). */
export const GRADER_READS = [
  'pods',
  'pods/proxy',
  'services',
  'endpoints',
  'events',
  'nodes',
  'secrets',
  'configmaps',
  'serviceaccounts',
  'deployments.apps',
  'replicasets.apps',
  'clusterrolebindings.rbac.authorization.k8s.io',
];
/** Of those, what the built-in "Azure Kubernetes Service RBAC Reader" reads: no Secrets, nodes, role bindings or pod proxy. */
const RBAC_READER_READS = new Set(['pods', 'services', 'endpoints', 'events', 'configmaps', 'serviceaccounts', 'deployments.apps', 'replicasets.apps']);
/** The custom Azure role README "The grader's own rights" defines: it reads every object of a cluster. */
const GRADER_KUBERNETES_ROLE = 'lab-grade Kubernetes reader';

/** The Azure role that grants a Kubernetes request the RBAC Reader role does not cover. */
function azureRole(verb: string, resource: string): string {
  if (!READ_VERBS.has(verb)) return 'Azure Kubernetes Service RBAC Writer';
  if (RBAC_READER_READS.has(resource)) return 'Azure Kubernetes Service RBAC Reader';
  // Azure lists no data action for the pod proxy: only the roles with every data action of the cluster grant it.
  return resource.includes('/') ? 'Azure Kubernetes Service RBAC Cluster Admin' : GRADER_KUBERNETES_ROLE;
}

/** The right a 403 Status message says the caller lacks, when it is Kubernetes' RBAC refusal. */
export function missingKubeRight(statusMessage: string, cluster?: ClusterRef): MissingRight | undefined {
  const m = FORBIDDEN.exec(statusMessage);
  if (!m) return undefined;
  const [, principal, verb, plural, group, reason] = m;
  const resource = group ? `${plural}.${group}` : plural;
  const clusterName = cluster?.name ?? "the kubeconfig's cluster";
  if (reason && AZURE_RBAC.test(reason)) {
    const role = azureRole(verb, resource);
    const scope = cluster?.id ?? `<the resource id of cluster ${clusterName}>`;
    const custom = role === GRADER_KUBERNETES_ROLE ? ` (a custom role with the data action Microsoft.ContainerService/managedClusters/*/read: README, "The grader's own rights")` : '';
    return { principal, right: `the Azure role "${role}"${custom}`, scope, grant: `az role assignment create --role "${role}" --assignee ${principal} --scope ${scope}` };
  }
  const [name, verbs, resources] = READ_VERBS.has(verb) ? ['lab-grade-reader', 'get,list,watch', GRADER_READS.join(',')] : ['lab-grade-selfheal', verb, resource];
  return {
    principal,
    right: `${verbs.split(',').join(', ')} on ${resource} (a ClusterRoleBinding naming it)`,
    scope: `cluster ${clusterName}`,
    grant: `kubectl create clusterrole ${name} --verb=${verbs} --resource=${resources} && kubectl create clusterrolebinding ${name} --clusterrole=${name} --user=${principal}  # in the cluster, as its admin`,
  };
}
