/**
 * Turning the Kubernetes API's failures into sentences a student or instructor can act on: an answer
 * that is not 2xx is a `KubeStatusError` (`.code` = HTTP status, `.body` = the Status object as JSON
 * text); when no answer came, undici's error (with a `.cause`).
 */
import { errorMessage } from '../../core/errors.js';
import { refusedByPolicy } from '../net.js';
import { grantCommand, MissingRightError, ProbeError, type MissingRight } from '../types.js';
import { AnswerTooLarge, KubeStatusError } from './capped-http.js';
import { missingKubeRight, type ClusterRef } from './rights.js';

export interface KubeFailure {
  /** HTTP status, undefined when the API server did not answer. */
  status?: number;
  /** One line: what was tried and why it failed. */
  message: string;
  /** Set when the answer was given up at a size cap: that cap, in bytes. */
  limitBytes?: number;
  /** The API server refused the grader's own identity for want of this right (RBAC). */
  missing?: MissingRight;
}

/** The Status object's message, when the body is one. */
function statusMessage(body: string): string | undefined {
  try {
    const obj = JSON.parse(body) as { message?: unknown } | null;
    return typeof obj?.message === 'string' ? obj.message : undefined;
  } catch {
    return undefined;
  }
}

/** The innermost cause of a transport error (undici wraps it in "fetch failed"). */
function rootCause(err: unknown): string {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error && cur.cause; i++) cur = cur.cause;
  const code = (cur as { code?: string })?.code;
  const msg = errorMessage(cur);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

/** What a failed `verb resource` call means; `server` names where it went, `cluster` which cluster that is. */
export function describeKubeFailure(verb: string, resource: string, err: unknown, server: string, cluster?: ClusterRef): KubeFailure {
  if (err instanceof AnswerTooLarge) return { message: `${verb} ${resource}: ${err.message}`, limitBytes: err.limitBytes };
  if (err instanceof KubeStatusError) {
    const code = err.code;
    const said = statusMessage(err.body);
    const missing = code === 403 && said ? missingKubeRight(said, cluster) : undefined;
    if (missing) {
      return {
        status: code,
        missing,
        message: `${verb} ${resource}: the API server refused the grader's identity ${missing.principal} (403 Forbidden): it needs ${missing.right} on ${missing.scope}; grant it with: ${grantCommand(missing)}`,
      };
    }
    if (code === 403) return { status: code, message: `${verb} ${resource}: forbidden (RBAC): the grader's identity needs get/list on ${resource}` };
    if (code === 401) return { status: code, message: `${verb} ${resource}: unauthorized: the API server refused the kubeconfig's credentials` };
    return { status: code, message: `${verb} ${resource}: the API server answered ${code}${said ? `: ${said}` : ''}` };
  }
  return { message: `${verb} ${resource}: cannot reach the API server at ${server}: ${rootCause(err)}` };
}

export function kubeProbeError(verb: string, resource: string, err: unknown, server: string, cluster?: ClusterRef): ProbeError {
  if (err instanceof ProbeError) return err;
  const f = describeKubeFailure(verb, resource, err, server, cluster);
  const detail = {
    verb,
    resource,
    server,
    ...(f.status ? { status: f.status } : {}),
    ...(f.limitBytes ? { limitBytes: f.limitBytes } : {}),
    ...(refusedByPolicy(err) ? { refused: true } : {}),
  };
  return f.missing ? new MissingRightError('kube', f.message, f.missing, detail) : new ProbeError('kube', f.message, detail);
}
