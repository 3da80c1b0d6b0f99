/** A network policy that remembers every attempt it refused, for tests that assert none reached a target. */
import { NetworkPolicy, type NetworkPolicyOptions } from '../../probes/net.js';

export type RecordedPolicy = NetworkPolicy & { readonly refused: string[] };

export function recordedPolicy(opts: NetworkPolicyOptions = {}): RecordedPolicy {
  const refused: string[] = [];
  return Object.assign(new NetworkPolicy({ ...opts, onRefused: (attempt) => refused.push(attempt) }), { refused });
}
