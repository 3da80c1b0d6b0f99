/** Reading Nodes: which are Ready, and their kubelet version. */
import type { V1Node } from '@kubernetes/client-node';

export interface NodeSummary {
  name: string;
  ready: boolean;
  kubelet?: string;
}

export function summarizeNode(n: V1Node): NodeSummary {
  return {
    name: n.metadata?.name ?? '',
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    kubelet: n.status?.nodeInfo?.kubeletVersion,
  };
}

export const readyNodes = (nodes: readonly V1Node[]) => nodes.map(summarizeNode).filter((n) => n.ready);
