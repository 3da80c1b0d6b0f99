/**
 * A partial self-check (`--only ex6`) right after a whole one, on the simulated lab's labuser05 (no pull
 * right: Exercise 6 is blocked behind Exercise 5 in the whole check): it compares only what it graded
 * itself, and does not contradict the whole check about what to do next.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { staticTokenCredential } from '../../probes/azure/token.js';
import { checklistMessages as M } from '../../reporters/checklist.messages.js';
import { sandboxRequest, useSelfCheckLab } from '../../test/support/selfcheck-sandbox.js';
import { collectedNotices } from '../../test/support/notices.js';
import { selfCheck } from './selfcheck.js';

const lab = useSelfCheckLab(packagePath('fixtures', 'scenarios', '05-no-role-assignment.yaml'));

describe('a partial self-check after a whole one', () => {
  it('lists no check blocked by one it did not select as changed, and names no exercise to do next', async () => {
    const home = mkdtempSync(join(lab.root, 'home-'));
    const check = async (only: string[]) => {
      let checklist = '';
      await selfCheck(sandboxRequest(lab, { only }), {
        stdout: { write: (t) => void (checklist += t), color: false, isTTY: false },
        notices: collectedNotices(),
        home,
        env: { USER: lab.scenario.user, LAB_GRADE_HOME: join(home, '.lab-grade') },
        login: async () => staticTokenCredential(lab.sandbox.config.azure!.token!),
      });
      return checklist;
    };
    const whole = await check([]);
    expect(whole).toContain(M.next(5));
    const partial = await check(['ex6']);
    // Blocked by ex5.pull.authorized in the whole check, graded on its own (and failing) in the partial one.
    expect(partial).not.toMatch(/^ {2}ex6\.\S+: blocked → /m);
    // The command it names checks the same student again, as printed: the sandbox and the user included.
    expect(partial).toContain(M.partialNext(`node lab-grade.mjs --sandbox ${lab.out} --user-name ${lab.scenario.user}`));
    expect(partial).not.toContain(M.next(6));
  });
});
