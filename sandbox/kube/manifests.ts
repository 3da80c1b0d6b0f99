/**
 * Reads `kubernetes.apply` (multi-document YAML exactly as the student applied it) into plain
 * objects. Kinds the world does not model are skipped and reported, never fatal: `kubectl apply` of
 * an Ingress would have worked, the sandbox just does not show it.
 */
import { parseAllDocuments } from 'yaml';

/** Fields kept as they came (from the student's YAML or as the API server writes them) without being read. */
interface Open {
  [field: string]: unknown;
}

export type Labels = Record<string, string>;

export interface KOwnerReference extends Open {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface KMeta extends Open {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string | null;
  generateName?: string;
  generation?: number;
  labels?: Labels;
  annotations?: Labels;
  ownerReferences?: KOwnerReference[];
}

/** A Service's port, or a container's. */
export interface KPort extends Open {
  name?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  containerPort?: number;
  protocol?: string;
}

export interface KContainer extends Open {
  name: string;
  image?: string;
  ports?: KPort[];
  env?: Array<{ name: string; value?: string } & Open>;
}

export interface KPodTemplate extends Open {
  metadata?: Partial<KMeta> | null;
  spec?: KSpec;
}

export interface KCondition extends Open {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface KContainerStatus extends Open {
  name: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string }; running?: Open; terminated?: Open };
}

/** The spec fields the simulated cluster reads, of every kind it models (Pod, Deployment, ReplicaSet, Service, Node). */
export interface KSpec extends Open {
  containers?: KContainer[];
  nodeName?: string;
  serviceAccountName?: string;
  replicas?: number;
  progressDeadlineSeconds?: number;
  template?: KPodTemplate;
  /** a Deployment's or ReplicaSet's label selector; a Service's is its labels themselves */
  selector?: { matchLabels?: Labels } | Labels;
  type?: string;
  clusterIP?: string;
  ports?: KPort[];
}

export interface KStatus extends Open {
  phase?: string;
  podIP?: string;
  hostIP?: string;
  conditions?: KCondition[];
  containerStatuses?: KContainerStatus[];
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string } & Open> };
  nodeInfo?: { kubeletVersion?: string } & Open;
}

/** An object of the simulated cluster, as Kubernetes' JSON has it. */
export interface KObj extends Open {
  apiVersion?: string;
  kind: string;
  metadata: KMeta;
  spec?: KSpec;
  status?: KStatus;
}

/** Endpoints: the addresses of a Service's pods, ready or not, beside its metadata. */
export interface KEndpoints extends KObj {
  subsets?: Array<{ addresses?: Array<{ ip: string } & Open>; notReadyAddresses?: Array<{ ip: string } & Open>; ports?: KPort[] }>;
}

/** An Event: what it says sits beside its metadata, not in a spec. */
export interface KEvent extends KObj {
  kind: 'Event';
  involvedObject: { kind?: string; name: string; namespace?: string; uid?: string } & Open;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  lastTimestamp: string;
}

export interface ParsedManifests {
  objects: KObj[];
  skipped: string[];
}

/** Kinds the world stores (Pod, Deployment and Service get behaviour; the rest are stored as given). */
const APPLIED_KINDS = new Set(['Pod', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Namespace', 'ClusterRoleBinding']);

const isMapping = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

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
    const items = isMapping(value) && value.kind === 'List' && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
    for (const item of items) {
      if (!isMapping(item)) continue;
      const metadata = isMapping(item.metadata) ? item.metadata : undefined;
      if (typeof item.kind !== 'string' || !APPLIED_KINDS.has(item.kind) || typeof metadata?.name !== 'string') {
        skipped.push(`${String(item.kind ?? '?')}/${String(metadata?.name ?? '?')}`);
        continue;
      }
      // The kinds the world models, named: their fields are read as Kubernetes defines them.
      objects.push(item as KObj);
    }
  }
  return { objects, skipped };
}
