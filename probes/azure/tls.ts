/**
 * An extra CA is trusted *in addition to* the system roots: Node's `ca` option replaces the roots, so a
 * class config that names a proxy's CA must not lose management.azure.com's chain. TLS verification is
 * never turned off.
 */
import { rootCertificates } from 'node:tls';

export function trustedCas(extra: string | string[] | undefined): string[] | undefined {
  if (!extra || (Array.isArray(extra) && extra.length === 0)) return undefined;
  return [...rootCertificates, ...(Array.isArray(extra) ? extra : [extra])];
}
