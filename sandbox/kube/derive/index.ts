/**
 * Derives the whole cluster from the scenario, in the order the real cluster came to be: nodes and
 * system objects, then what the student applied, then Helm's records, then status. Called on
 * construction and on every reload; `previous` holds the pods to keep across a reload.
 */
import { ago, type ClusterState, type PodState } from '../state.js';
import { refreshStatus } from '../status.js';
import { applyPlain, appliedKey, appliedObjects } from './applied.js';
import { putHelmRecord, tillerObjects } from './helm-objects.js';
import { applyService } from './services.js';
import { SYSTEM_NAMESPACES, putNamespaces, putNodes, putSystemObjects } from './system-objects.js';
import { applyDeployment, applyPod } from './workloads.js';

/** Rebuilds store and pods; returns the applied documents the world does not model. */
export function deriveCluster(w: ClusterState, previous: Map<string, PodState>): string[] {
  const k8s = w.scenario.kubernetes;
  w.store.clear();
  w.pods = new Map();
  w.usedIps = new Set([...previous.values()].flatMap((p) => (p.podIP ? [p.podIP] : [])));
  w.scheduled = 0;
  const clusterCreated = ago(w, 180);
  const appliedAt = ago(w, 30);
  putNodes(w, clusterCreated);

  const { objects: applied, skipped } = appliedObjects(k8s?.apply ?? '');
  const helm = k8s?.helm ?? [];
  const tiller = helm.some((r) => r.helm === 2 && r.tiller);
  if (tiller) for (const o of tillerObjects()) applied.set(appliedKey(o.kind, o.metadata.namespace, o.metadata.name), o);

  const namespaces = new Set(SYSTEM_NAMESPACES);
  for (const o of applied.values()) if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
  for (const o of applied.values()) if (o.kind === 'Namespace') namespaces.add(o.metadata.name);
  putNamespaces(w, namespaces, clusterCreated, appliedAt);
  putSystemObjects(w, clusterCreated);

  // Services and plain objects first: whether myapi pods share a database depends on Service db.
  for (const o of applied.values()) {
    if (o.kind === 'Service') applyService(w, o, appliedAt);
    else if (o.kind !== 'Pod' && o.kind !== 'Deployment' && o.kind !== 'Namespace') applyPlain(w, o, appliedAt);
  }
  for (const o of applied.values()) {
    if (o.kind === 'Pod') applyPod(w, o, appliedAt, previous);
    if (o.kind === 'Deployment') applyDeployment(w, o, o.metadata.namespace === 'kube-system' ? ago(w, 120) : appliedAt, previous);
  }
  for (const release of helm) putHelmRecord(w, release, k8s?.apply ?? '');
  refreshStatus(w);
  return skipped;
}
