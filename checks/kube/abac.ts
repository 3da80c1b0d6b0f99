/**
 * ACR's ABAC conditions on repository roles: which repositories a role assignment covers. A condition
 * is read only in the shape the portal's visual editor writes (repository-name tests joined by OR,
 * after the read actions); any other condition is not taken as a grant, and the pods decide.
 */

const REPOSITORY_TEST = /@Request\[Microsoft\.ContainerRegistry\/registries\/repositories:name\]\s+(StringEquals|StringStartsWith|StringLike)(IgnoreCase)?\s+'([^']*)'/gi;
const ACTION_TEST = /ActionMatches\{'[^']*'\}/gi;

function matches(operator: string, ignoreCase: boolean, value: string, repository: string): boolean {
  const [v, r] = ignoreCase ? [value.toLowerCase(), repository.toLowerCase()] : [value, repository];
  if (/^StringEquals$/i.test(operator)) return r === v;
  if (/^StringStartsWith$/i.test(operator)) return r.startsWith(v);
  const glob = v
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${glob}$`).test(r);
}

/** Repository tests the grader does not read: negated, or two of them joined by AND. */
const UNREAD = [/!\s*\(*\s*@Request/i, /repositories:name\]\s+\w*Not/i, /@Request[^@]*\bAND\b[^@]*@Request/i];

/** Whether a role assignment's `condition` lets it read `repository`; no condition covers every repository. */
export function conditionCovers(condition: string | undefined, repository: string): boolean {
  if (!condition?.trim()) return true;
  // Another attribute than the repository's name, or a test not read: not taken as a grant.
  if (condition.replace(REPOSITORY_TEST, '').replace(ACTION_TEST, '').includes('@') || UNREAD.some((re) => re.test(condition))) return false;
  return [...condition.matchAll(REPOSITORY_TEST)].some(([, operator, ignoreCase, value]) => matches(operator, !!ignoreCase, value, repository));
}

/** A condition as a message shows it: its repository tests (`StringEqualsIgnoreCase 'myapp'`), else the condition itself. */
export function conditionText(condition: string): string {
  const tests = [...condition.matchAll(REPOSITORY_TEST)].map(([, operator, ignoreCase, value]) => `${operator}${ignoreCase ?? ''} '${value}'`);
  return tests.length ? `repository name ${tests.join(' OR ')}` : condition;
}
