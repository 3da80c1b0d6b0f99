/**
 * An undici Agent for the Kubernetes API that dials through the NetworkPolicy (connectTo before DNS,
 * refused ranges) with the kubeconfig's full TLS material. `NetworkPolicy.dispatcher()` only takes a
 * CA; an AKS user kubeconfig also carries a client certificate and key, so this builds the same
 * connector with every TLS option. One Agent per probe: connections are reused across lists.
 */
import type { ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { NetworkPolicy } from '../net.js';

export interface KubeTls {
  ca?: ConnectionOptions['ca'];
  cert?: ConnectionOptions['cert'];
  key?: ConnectionOptions['key'];
  rejectUnauthorized?: boolean;
  servername?: string;
}

export function policyAgent(policy: NetworkPolicy, tls: KubeTls, timeoutMs: number): Agent {
  const base = buildConnector({ ...tls, timeout: timeoutMs });
  return new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: (opts, callback) => {
      const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
      policy.resolve(opts.hostname, port).then(
        ({ address, port: dialPort }) =>
          base(
            {
              ...opts,
              hostname: address,
              port: String(dialPort),
              // TLS verifies the name in the kubeconfig, not the address it was mapped to.
              servername: tls.servername ?? opts.servername ?? (isIP(opts.hostname) ? undefined : opts.hostname),
            },
            callback,
          ),
        (err: Error) => callback(err, null),
      );
    },
  });
}
