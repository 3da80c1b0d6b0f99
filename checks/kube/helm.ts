/** Reading Helm releases (decoded records) and tiller's RBAC objects. */
import type { V1ClusterRoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { LabExpectations } from '../../core/profile.js';
import type { HelmReleaseRecord } from '../../probes/types.js';
import { excerpt } from '../text.js';

/** The newest revision of each release (Helm keeps one record per revision). */
export function latestRevisions(records: readonly HelmReleaseRecord[]): HelmReleaseRecord[] {
  const latest = new Map<string, HelmReleaseRecord>();
  for (const r of records) {
    const key = `${r.source}/${r.namespace}/${r.name}`;
    const cur = latest.get(key);
    if (!cur || r.version > cur.version) latest.set(key, r);
  }
  return [...latest.values()];
}

/**
 * Releases of `chart`, whatever the release is called (Helm 2 made up names). A record that could
 * not be decoded counts when the release is named like the chart.
 */
export function releasesOfChart(records: readonly HelmReleaseRecord[], chart: string): HelmReleaseRecord[] {
  return latestRevisions(records).filter((r) => (r.chartName ? r.chartName === chart : r.name === chart));
}

/** The release to grade: a deployed one first, Helm 3 before Helm 2, newest revision. */
export function chooseRelease(records: readonly HelmReleaseRecord[], chart: string): HelmReleaseRecord | undefined {
  const score = (r: HelmReleaseRecord) => (r.status === 'deployed' ? 2 : 0) + (r.source === 'helm3-secret' ? 1 : 0);
  return [...releasesOfChart(records, chart)].sort((a, b) => score(b) - score(a) || b.version - a.version)[0];
}

/** A release as messages name it; its name, chart and status come from the record's JSON, written by whoever wrote the record. */
export const releaseLabel = (r: HelmReleaseRecord) =>
  `${excerpt(r.name, 60)} (chart ${excerpt(r.chartName ?? '?', 60)}${r.chartVersion ? `-${excerpt(r.chartVersion, 40)}` : ''}, revision ${r.version}, ${excerpt(r.status, 40)}, ${r.source === 'helm3-secret' ? 'Helm 3 Secret' : 'Helm 2 ConfigMap'} ${r.namespace}/${r.objectName})`;

/** A value at a dotted path in release values (`registry`, `myapp.versionTag`). */
export function valueAt(values: Record<string, unknown> | undefined, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface TillerRbac {
  serviceAccount: boolean;
  /** names of ClusterRoleBindings of cluster-admin to kube-system:tiller */
  adminBindings: string[];
  /** other roles bound to kube-system:tiller */
  otherRoles: string[];
}

export function tillerRbac(serviceAccounts: readonly V1ServiceAccount[], bindings: readonly V1ClusterRoleBinding[], namespace = 'kube-system', name = 'tiller'): TillerRbac {
  // Stryker disable next-line ArrayDeclaration: a string in place of the missing subjects has no kind, so it never matches a ServiceAccount either
  const toTiller = bindings.filter((b) => (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === name && (s.namespace ?? '') === namespace));
  return {
    serviceAccount: serviceAccounts.some((sa) => sa.metadata?.name === name && (sa.metadata.namespace ?? namespace) === namespace),
    adminBindings: toTiller.filter((b) => b.roleRef?.kind === 'ClusterRole' && b.roleRef.name === 'cluster-admin').map((b) => b.metadata?.name ?? ''),
    otherRoles: toTiller.filter((b) => b.roleRef?.name !== 'cluster-admin').map((b) => b.roleRef?.name ?? ''),
  };
}

type Values = Record<string, unknown>;
const isTable = (v: unknown): v is Values => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The values a release renders with, as Helm coalesces them: the chart's values.yaml overridden by the
 * values given at install (`--set`, `-f`); tables merge key by key, anything else is replaced, and a
 * key given as null is removed (Helm's chartutil.CoalesceValues).
 */
export function effectiveValues(chart: Values | undefined, given: Values | undefined): Values {
  const out: Values = structuredClone(given ?? {});
  coalesceInto(out, chart ?? {});
  return out;
}

function coalesceInto(dest: Values, defaults: Values): void {
  for (const [key, value] of Object.entries(defaults)) {
    if (!(key in dest)) dest[key] = structuredClone(value);
    else if (dest[key] === null) delete dest[key];
    else if (isTable(dest[key]) && isTable(value)) coalesceInto(dest[key] as Values, value);
  }
}

/** Where the lab's chart is: the Helm folder of the student's clone. */
export const chartFolder = (e: LabExpectations) => `${e.repoDir}/k8s/helm`;

/** Exercise 7 step 5's install of the lab's chart (Helm 3), from the chart's folder: the release is named like the chart. */
export const chartInstall = (e: LabExpectations, registry: string) => `helm install ${e.helm.chart} . --set registry=${registry}`;

/** The Deployments Exercise 6 made with kubectl, which clash with the chart's own. */
export const deleteLabDeployments = (e: LabExpectations) => `kubectl delete deployment ${e.app.deployment} ${e.api.deployment}`;

/**
 * The commands that install the chart again over a release that did not deploy. A failed or pending
 * release keeps its name, so `helm install` under it is refused until its record is removed: Helm 3
 * `helm uninstall`, Helm 2 `helm delete --purge`. The kubectl-made Deployments clash with the chart's.
 */
export function reinstallCommands(r: HelmReleaseRecord, registry: string, e: LabExpectations): string {
  const set = `--set registry=${registry}`;
  const name = excerpt(r.name, 60);
  const [remove, install] = r.source === 'helm3-secret' ? [`helm uninstall ${name}`, `helm install ${name} . ${set}`] : [`helm delete --purge ${name}`, `helm install . --name ${name} ${set}`];
  return `\`${remove}\`, \`${deleteLabDeployments(e)}\` (the chart makes its own), then in ${chartFolder(e)} \`${install}\``;
}
