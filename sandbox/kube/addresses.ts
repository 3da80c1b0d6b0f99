/** Pod IP allocation: the lowest free address in the node's pod CIDR (10.244.<node>.0/24), as kubenet hands them out. */
import type { ClusterState } from './state.js';

export function allocateIp(w: ClusterState, nodeIndex: number): string {
  for (let host = 5; ; host++) {
    const ip = `10.244.${nodeIndex}.${host}`;
    if (!w.usedIps.has(ip)) {
      w.usedIps.add(ip);
      return ip;
    }
  }
}
