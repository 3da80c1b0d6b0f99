/**
 * ARM failures as ProbeErrors: the grader could not find out, which is never the student's fault.
 * Each message says who was refused what on which scope and what fixes it, without secrets.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { excerpt, joinLines } from '../../core/student-text.js';
import { grantCommand, MissingRightError, ProbeError } from '../types.js';
import { EndlessListError } from './paging.js';

export interface ArmCall {
  /** What the grader tried, as ARM names the permission (e.g. Microsoft.ContainerService/managedClusters/read). */
  action: string;
  /** The resource id or scope it was tried on. */
  scope: string;
}

/** ARM's own wording of a 403: "The client 'x' with object id 'y' does not have authorization to perform action 'a' over scope 's' ...". */
const AUTHZ_RE = /client '([^']+)'(?: with object id '([^']+)')?.*?action '([^']+)'.*?scope '([^']+)'/i;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** What a message quotes of ARM's own: its first 200 characters, on one line. */
const armExcerpt = (text: string): string => excerpt(joinLines(text).trim(), 200);

export function errorCode(err: unknown): string | undefined {
  return isRestError(err) ? err.code : (err as { code?: string } | undefined)?.code;
}

export function statusOf(err: unknown): number | undefined {
  return isRestError(err) ? err.statusCode : undefined;
}

/**
 * The built-in role that grants an ARM action the grader may be refused, and where: the user
 * kubeconfig needs the Cluster User role on the cluster; every read, Reader on the resource group.
 */
function roleFor(action: string, scope: string): { role: string; where: string; at: string } {
  if (/\/listClusterUserCredential\/action$/i.test(action)) return { role: 'Azure Kubernetes Service Cluster User Role', where: 'the cluster', at: scope };
  const group = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(scope)?.[0];
  return { role: 'Reader', where: 'the resource group', at: group ?? scope };
}

/** Turns a failed ARM call into a ProbeError. `who` describes the grader's identity, when known. */
export function armError(err: unknown, call: ArmCall, who = "the grader's identity", endpoint?: string): ProbeError {
  if (err instanceof ProbeError) return err;
  if (err instanceof EndlessListError) return new ProbeError('azure', err.message, { action: call.action, scope: call.scope });
  const status = statusOf(err);
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const detail = { status, code, action: call.action, scope: call.scope };

  if (status === 403) {
    const m = AUTHZ_RE.exec(message);
    const identity = m ? `${m[1]}${m[2] ? ` (object id ${m[2]})` : ''}` : who;
    const action = m?.[3] ?? call.action;
    const scope = m?.[4] ?? call.scope;
    const { role, where, at } = roleFor(action, scope);
    const principal = m?.[2] ?? m?.[1] ?? who;
    const missing = { principal, right: `the Azure role "${role}"`, scope: at, grant: `az role assignment create --role "${role}" --assignee ${principal} --scope ${at}` };
    return new MissingRightError(
      'azure',
      `the identity ${identity} may not ${action} on ${scope} (403 ${code ?? 'AuthorizationFailed'}): grant it ${role} on ${where}: ${grantCommand(missing)}`,
      missing,
      detail,
    );
  }
  if (status === 401) {
    return new ProbeError(
      'azure',
      `ARM did not accept the credentials of ${who} for ${call.action} on ${call.scope} (401 ${code ?? 'Unauthorized'}): check the grader's Azure credential (az login, or the token in the class config)`,
      detail,
    );
  }
  if (code === 'RetryAfterTooLong') return new ProbeError('azure', `${message}: re-run this student later`, detail);
  if (status === 429) return new ProbeError('azure', `ARM kept throttling ${call.action} on ${call.scope} (429 ${code ?? 'TooManyRequests'}) after every retry: re-run this student later`, detail);
  if (status !== undefined && status >= 500) {
    return new ProbeError('azure', `ARM answered ${status}${code ? ` ${code}` : ''} to ${call.action} on ${call.scope}: ${armExcerpt(message)}; re-run this student later`, detail);
  }
  if (status !== undefined) return new ProbeError('azure', `ARM answered ${status}${code ? ` ${code}` : ''} to ${call.action} on ${call.scope}: ${armExcerpt(message)}`, detail);
  const where = endpoint ? `ARM at ${endpoint}` : 'ARM';
  if ((err as Error)?.name === 'AbortError') return new ProbeError('azure', `${where} did not answer ${call.action} on ${call.scope} in time`, detail);
  if (code && NETWORK_CODES.has(code)) return new ProbeError('azure', `${where} could not be reached for ${call.action} (${code}): ${armExcerpt(message)}`, detail);
  if ((err as Error)?.name?.endsWith('AuthenticationError') || (err as Error)?.name === 'CredentialUnavailableError') {
    return new ProbeError('azure', `no ARM token for the grader: ${armExcerpt(message)} (sign in with az login, or set the credential in the class config)`, { ...detail, name: (err as Error).name });
  }
  return new ProbeError('azure', `${call.action} on ${call.scope} failed: ${armExcerpt(message)}`, detail);
}
