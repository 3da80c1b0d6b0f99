/** Which repositories an ABAC condition on a repository role covers, in the shapes ARM returns them. */
import { describe, expect, it } from 'vitest';
import { repositoryCondition } from '../../sandbox/arm/resources.js';
import { conditionCovers, conditionText } from './abac.js';

/** The portal's condition around one repository test (as ARM returns it, on one line). */
const around = (test: string) =>
  `( (  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'})  AND  !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'}) ) OR  (  ${test} ))`;
const NAME = '@Request[Microsoft.ContainerRegistry/registries/repositories:name]';

describe('conditionCovers', () => {
  it('no condition covers every repository', () => {
    expect([conditionCovers(undefined, 'myapp'), conditionCovers('', 'myapp'), conditionCovers('  ', 'myapi')]).toEqual([true, true, true]);
  });

  it('names, OR-ed, as the simulated ARM writes them: only those repositories, in any case', () => {
    const c = repositoryCondition(['myapp', 'myapi']);
    expect(['myapp', 'MyApi', 'other', 'myapp2'].map((r) => conditionCovers(c, r))).toEqual([true, true, false, false]);
    expect(conditionCovers(repositoryCondition(['other']), 'myapp')).toBe(false);
  });

  it('prefixes and wildcards, with and without IgnoreCase', () => {
    expect(conditionCovers(around(`${NAME} StringStartsWithIgnoreCase 'my'`), 'MyApp')).toBe(true);
    expect(conditionCovers(around(`${NAME} StringStartsWith 'backend/'`), 'myapp')).toBe(false);
    expect(conditionCovers(around(`${NAME} StringEquals 'MyApp'`), 'myapp')).toBe(false);
    expect(conditionCovers(around(`${NAME} StringLikeIgnoreCase 'my*'`), 'myapi')).toBe(true);
    expect(conditionCovers(around(`${NAME} StringLike 'team/*'`), 'myapi')).toBe(false);
  });

  it('a negated test, an AND of tests or another attribute is not read as a grant', () => {
    expect(conditionCovers(around(`${NAME} StringNotEqualsIgnoreCase 'other'`), 'myapp')).toBe(false);
    expect(conditionCovers(around(`!(${NAME} StringEqualsIgnoreCase 'other')`), 'myapp')).toBe(false);
    expect(conditionCovers(around(`${NAME} StringStartsWith 'my' AND ${NAME} StringEquals 'myapp'`), 'myapp')).toBe(false);
    expect(conditionCovers(around(`@Resource[Microsoft.ContainerRegistry/registries:name] StringEquals 'x' OR ${NAME} StringEquals 'myapp'`), 'myapp')).toBe(false);
  });
});

describe('conditionText', () => {
  it('shows the repository tests, or the condition when it has none', () => {
    expect(conditionText(repositoryCondition(['greetings/myapp', 'myapi']))).toBe("repository name StringEqualsIgnoreCase 'greetings/myapp' OR StringEqualsIgnoreCase 'myapi'");
    expect(conditionText("@Resource[Microsoft.ContainerRegistry/registries:name] StringEquals 'x'")).toBe("@Resource[Microsoft.ContainerRegistry/registries:name] StringEquals 'x'");
  });
});
