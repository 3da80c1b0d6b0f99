/**
 * Objects the student applied (`kubectl apply -f`), as the API server stores them: the
 * last-applied-configuration annotation, a uid, a resourceVersion.
 */
import { stableJson } from '../ids.js';
import { parseManifests, type KObj } from '../manifests.js';
import { meta, type StoredMeta } from '../objects.js';
import { apiVersionOf, resourceByKind } from '../resources.js';
import type { ClusterState } from '../state.js';
import { objectKey } from '../store.js';

/** The documents of `apply`, defaulted to their namespace; applying the same object twice: the last one wins. */
export function appliedObjects(apply: string): { objects: Map<string, KObj>; skipped: string[] } {
  const parsed = parseManifests(apply);
  const objects = new Map<string, KObj>();
  for (const o of parsed.objects) {
    const ns = o.kind === 'Namespace' || o.kind === 'ClusterRoleBinding' ? undefined : (o.metadata.namespace ?? 'default');
    objects.set(appliedKey(o.kind, ns, o.metadata.name), { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}) } });
  }
  return { objects, skipped: parsed.skipped };
}

export const appliedKey = (kind: string, ns: string | undefined, name: string): string => `${kind}/${objectKey(ns, name)}`;

/** What `kubectl apply` remembers of an object (the annotation its next apply diffs against). */
export function lastApplied(o: KObj): Record<string, string> {
  const { annotations, ...rest } = o.metadata;
  const configuration = stableJson({ ...o, metadata: { ...rest, annotations: {} } }) + '\n';
  return { ...(annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': configuration };
}

/** Metadata of an applied object: its uid follows from kind and key, so a reload keeps it. */
export function objMeta(w: ClusterState, o: KObj, created: string, extra: Partial<Parameters<typeof meta>[0]> = {}): StoredMeta {
  const ns = o.metadata.namespace;
  return meta({
    name: o.metadata.name,
    namespace: ns,
    uid: w.ids.uid(`${o.kind}/${objectKey(ns, o.metadata.name)}`),
    resourceVersion: w.store.nextRv(),
    creationTimestamp: created,
    labels: o.metadata.labels,
    annotations: lastApplied(o),
    ...extra,
  });
}

/** An object the world stores as applied (ConfigMaps, Secrets, RBAC...), with nothing derived from it. */
export function applyPlain(w: ClusterState, o: KObj, created: string): void {
  const def = resourceByKind(o.kind);
  if (!def) return;
  w.store.put({ ...o, apiVersion: apiVersionOf(def), metadata: objMeta(w, o, created) });
}
