/** Exercise 2 step 1: the greetings repository is cloned into the lab user's home on the VM. */
import { defineCheck, fail, pass, reasons } from '../../core/check.js';
import { repoLayout } from '../compose/repo.js';

const CLONE_URL = 'https://github.com/cadullms/greetings';

const R = reasons({
  noDir: ['LG-201', 'the greetings repository is not cloned', 'absent'],
  incomplete: ['LG-202', 'the clone lacks a Dockerfile or the compose file'],
});

/** Restoring a clone, as the step that made it: shared with the compose checks, which need the file too. */
export const incompleteHint = (dir: string) => `Exercise 2 step 1: ~/${dir} should be a full clone of ${CLONE_URL}. Restore the missing files (\`git -C ~/${dir} checkout -- .\`) or clone it again.`;

export const repoCloned = defineCheck({
  id: 'ex2.repo.cloned',
  exercise: 2,
  passes: '`~/greetings` holds both Dockerfiles and a compose file',
  title: (p) => `The ${p.expect.repoDir} repository is cloned`,
  points: { points: 1 },
  needs: ['vm'],
  dependsOn: ['ex1.vm.reachable'],
  reasons: R,
  async run(ctx) {
    const layout = await repoLayout(ctx);
    const { dockerfiles, composeFiles } = ctx.profile.expect;
    const dir = layout.dir;
    const evidence = { repo: `~/${dir}`, composeFiles: layout.composeFiles, missingDockerfiles: layout.missingDockerfiles };
    if (layout.dirKind !== 'dir') {
      return fail(R.noDir, `~/${dir} does not exist on the VM`, `Exercise 2 step 1: in your home folder on the VM run \`git clone ${CLONE_URL}\`; it creates ~/${dir}.`, {
        evidence,
        outcome: 'needs-fix',
      });
    }
    const missing = [...layout.missingDockerfiles, ...(layout.composeFiles.length ? [] : [`a compose file (${composeFiles.join(', ')})`])];
    if (missing.length) return fail(R.incomplete, `~/${dir} is missing ${missing.join(', ')}`, incompleteHint(dir), { evidence, outcome: 'needs-fix', found: missing.join(', ') });
    return pass(`~/${dir} holds the app's Dockerfiles and ${layout.composeFiles[0]}`, { ...evidence, dockerfiles });
  },
});
