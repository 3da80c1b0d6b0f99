/**
 * TLS trust for the probes that verify servers against the system roots (Azure, the registry). An extra
 * CA is trusted *in addition to* the system roots: Node's `ca` option replaces the roots, so a class
 * config that names a proxy's CA must not lose management.azure.com's chain. TLS verification is never
 * turned off.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

const bundles = new Map<string, readonly string[]>();

/** The same array for the same extra CAs (every student's registry client asks), so its context is found at once. */
export function trustedCas(extra: string | string[] | undefined): string[] | undefined {
  if (!extra || (Array.isArray(extra) && extra.length === 0)) return undefined;
  const extras = Array.isArray(extra) ? extra : [extra];
  const key = extras.join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = Object.freeze([...rootCertificates, ...extras]);
    bundles.set(key, bundle);
  }
  return bundle as string[];
}

const contexts = new Map<string, SecureContext>();
/** The same bundle array (each runtime's `trustedCas`) maps to its context without joining ~140 PEMs again. */
const byBundle = new WeakMap<string[], SecureContext>();

/**
 * One TLS context per distinct CA bundle, for the whole run. Node builds a context for every new
 * connection given a `ca` option, parsing each of the ~140 system roots again (about 20 ms of CPU per
 * connection, measured: most of a class's CPU time); a shared context is parsed once.
 */
export function sharedSecureContext(ca: string | string[]): SecureContext {
  const known = Array.isArray(ca) ? byBundle.get(ca) : undefined;
  if (known) return known;
  const key = Array.isArray(ca) ? ca.join('\n') : ca;
  let context = contexts.get(key);
  if (!context) {
    context = createSecureContext({ ca });
    contexts.set(key, context);
  }
  if (Array.isArray(ca)) byBundle.set(ca, context);
  return context;
}
