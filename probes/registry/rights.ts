/**
 * A registry that refuses the grader's own identity for want of a pull right. ACR exchanges any
 * valid Entra token, then leaves out of the access token what the identity may not do, so the
 * request answers `401` with `error="insufficient_scope"`: the registry's contents are unknown, and the
 * instructor grants the right (AcrPull; in ABAC mode only a repository role counts).
 */
import { grantCommand, MissingRightError, type RegistryFacts } from '../types.js';
import type { Challenge } from './challenge.js';

/** What the grader knows of a registry from Azure: its resource id and role assignment mode. */
export type RegistryFactsOf = (loginServer: string) => Promise<Pick<RegistryFacts, 'id' | 'roleAssignmentMode'> | undefined>;

/** The registry accepted the token but not for this scope (RFC 6750's `insufficient_scope`). */
export const insufficientScope = (challenge: Challenge | undefined): boolean => challenge?.scheme === 'bearer' && challenge.params.error === 'insufficient_scope';

export function missingPullRight(registry: string, scope: string, principal: string | undefined, facts: Pick<RegistryFacts, 'id' | 'roleAssignmentMode'> | undefined): MissingRightError {
  const abac = facts?.roleAssignmentMode === 'AbacRepositoryPermissions';
  const role = abac ? 'Container Registry Repository Reader' : 'AcrPull';
  const who = principal ?? "<the grader's object id>";
  const target = facts?.id ?? `<the resource id of registry ${registry}>`;
  const missing = {
    principal: who,
    right: `the Azure role "${role}"${abac ? ' (the registry is in ABAC mode, where AcrPull, Reader, Contributor and Owner do not pull)' : ''}`,
    scope: target,
    grant: `az role assignment create --role "${role}" --assignee ${who} --scope ${target}`,
  };
  return new MissingRightError(
    'registry',
    `registry ${registry} gave the grader's identity ${who} a token without ${scope} (401 insufficient_scope after the Entra token exchange): it needs ${missing.right} on ${target}; grant it with: ${grantCommand(missing)}`,
    missing,
    { registry, auth: 'entra-exchange', status: 401, scope },
  );
}
