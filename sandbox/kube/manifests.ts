/**
 * Reads `kubernetes.apply` (multi-document YAML exactly as the student applied it) into plain
 * objects. Kinds the world does not model are skipped and reported, never fatal: `kubectl apply` of
 * an Ingress would have worked, the sandbox just does not show it.
 */
import { parseAllDocuments } from 'yaml';

export type KObj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ParsedManifests {
  objects: KObj[];
  skipped: string[];
}

/** Kinds the world stores (Pod, Deployment and Service get behaviour; the rest are stored as given). */
export const APPLIED_KINDS = new Set(['Pod', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Namespace', 'ClusterRoleBinding']);

export function parseManifests(text: string): ParsedManifests {
  const objects: KObj[] = [];
  const skipped: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      skipped.push(`YAML error: ${doc.errors[0].message}`);
      continue;
    }
    // JSON-compatible view: timestamps stay strings, as the API would return them.
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    const items = value && typeof value === 'object' && (value as KObj).kind === 'List' ? (((value as KObj).items as unknown[]) ?? []) : [value];
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const obj = item as KObj;
      if (!APPLIED_KINDS.has(obj.kind) || typeof obj.metadata?.name !== 'string') {
        skipped.push(`${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'}`);
        continue;
      }
      objects.push(obj);
    }
  }
  return { objects, skipped };
}
