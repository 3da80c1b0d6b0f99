/**
 * A class graded 16 at a time gets exactly the grades its students get alone: the pool shares nothing
 * between students that could change a verdict. 60 students cloned from the built-in 11.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeConfig } from '../support/grading.js';
import { CHECK_IDS } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../sandbox/lab.js';
import { loadScenarios } from '../../sandbox/scenario.js';
import { verdictsOf, writeClass, type GeneratedClass } from '../support/class.js';

// A failing app answer is retried for 5 s by default; short here, the same for the class and alone.
const runtime = { minHttpRetryMs: 300 };

describe('a class of 60 at --concurrency 16', () => {
  let cls: GeneratedClass;
  let sandbox: Sandbox;
  beforeAll(async () => {
    cls = writeClass(60);
    sandbox = await startSandbox(loadScenarios([cls.dir], CHECK_IDS));
    // Two loaded cores: generous probe timeouts, so a slow answer is never mistaken for a verdict.
    sandbox.config.timeoutsMs = { vm: 30_000, azure: 30_000, registry: 30_000, kube: 30_000, http: 30_000 };
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it('grades every student as grading them alone does', async () => {
    const all = await gradeConfig(sandbox.config, { concurrency: 16, runtime });
    expect(all.run.students.map((s) => s.user)).toEqual(cls.users);
    const together = verdictsOf(all.run.students);

    // Alone: one student per run, nothing else in flight. One clone of each built-in student (first
    // and last of the class, graded early and late), then every clone is held to its template's grade.
    const alone = new Map<string, ReturnType<typeof verdictsOf> extends Map<string, infer V> ? V : never>();
    const sample = [...new Set(cls.users.map((u) => cls.templateOf.get(u)))].map((t) => cls.users.find((u) => cls.templateOf.get(u) === t)!);
    sample.push(cls.users.at(-1)!);
    for (const user of sample) {
      const one = await gradeConfig(sandbox.config, { concurrency: 1, users: [user], runtime });
      alone.set(user, verdictsOf(one.run.students).get(user)!);
      expect(together.get(user), user).toEqual(alone.get(user));
    }
    for (const user of cls.users) {
      const template = sample.find((u) => cls.templateOf.get(u) === cls.templateOf.get(user))!;
      expect(together.get(user), `${user} like ${template}`).toEqual(alone.get(template));
    }
  }, 120_000);
});
