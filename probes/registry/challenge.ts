/**
 * WWW-Authenticate as registries send it: `Basic realm="..."` (htpasswd) or
 * `Bearer realm="https://.../oauth2/token",service="...",scope="repository:myapp:pull"` (ACR, token auth).
 */
export interface Challenge {
  scheme: 'basic' | 'bearer' | string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The pull scope the grader needs for a repository (what docker asks for a pull). */
export const pullScope = (repository: string): string => `repository:${repository}:pull`;
