/** Reading Nodes: which are Ready. */
import type { V1Node } from '@kubernetes/client-node';

/** A Node is Ready when its Ready condition is True (Unknown: the kubelet stopped reporting). */
export const isNodeReady = (n: V1Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The names of the Ready nodes. */
export const readyNodeNames = (nodes: readonly V1Node[]) => nodes.filter(isNodeReady).map((n) => n.metadata?.name ?? '?');
