/**
 * The simulated cluster's object store: what etcd holds, one bucket of live objects per resource
 * (plural), keyed like etcd (`ns/name`, or `name` for cluster-scoped ones), and the resourceVersion
 * counter every write takes from.
 */
import { stableJson } from './ids.js';
import type { KObj, KStatus } from './manifests.js';
import { resourceByKind } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export const objectKey = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);

export class ObjectStore {
  private rv = 10_000;
  private buckets = new Map<string, Map<string, KObj>>();

  /** The latest resourceVersion: what a List's metadata carries. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  nextRv(): string {
    return String(++this.rv);
  }

  /** Forgets every object (a re-derivation starts empty); resourceVersions keep rising, as in etcd. */
  clear(): void {
    this.buckets = new Map();
  }

  bucket(plural: string): Map<string, KObj> {
    let b = this.buckets.get(plural);
    if (!b) this.buckets.set(plural, (b = new Map()));
    return b;
  }

  put(obj: KObj): void {
    const def = resourceByKind(obj.kind);
    if (!def) throw new Error(`the world does not store ${obj.kind}`);
    this.bucket(def.plural).set(objectKey(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name), obj);
  }

  get(plural: string, namespace: string | undefined, name: string): KObj | undefined {
    return this.bucket(plural).get(objectKey(namespace, name));
  }

  hasNamespace(name: string): boolean {
    return this.bucket('namespaces').has(name);
  }

  /** Objects of one resource (plural), sorted like etcd keys. Live objects: serialise, do not mutate. */
  list(plural: string, namespace?: string, opts: ListOptions = {}): KObj[] {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined;
    const out: KObj[] = [];
    for (const obj of this.bucket(plural).values()) {
      if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
      if (labels && !labels(obj.metadata.labels)) continue;
      if (fields && !fields(obj)) continue;
      out.push(obj);
    }
    return out.sort((a, b) => (objectKey(a.metadata.namespace, a.metadata.name) < objectKey(b.metadata.namespace, b.metadata.name) ? -1 : 1));
  }

  /** Writes a status only when it changed, so an unchanged object keeps its resourceVersion. */
  setStatus(obj: KObj, status: KStatus): void {
    if (stableJson(obj.status) === stableJson(status)) return;
    obj.status = status;
    obj.metadata.resourceVersion = this.nextRv();
  }
}
