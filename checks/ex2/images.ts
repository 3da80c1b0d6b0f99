/** Exercise 2 step 6: `docker-compose up` built the myapp and myapi images on the VM. */
import { defineCheck, error, fail, pass, reasons } from '../../core/check.js';
import { excerpt, firstLine } from '../text.js';
import { runOnVm } from '../ex1/vm.js';

const R = reasons({
  failed: ['LG-231', '`docker image ls` failed after `docker info` worked'],
  missing: ['LG-232', (e) => `the ${e.app.image} or ${e.api.image} image is not built`, 'absent'],
});

/** "reg.azurecr.io/myapp:v1.0" -> "myapp": the repository's last path segment. */
function repositoryName(line: string): string {
  const slash = line.lastIndexOf('/');
  const last = line.slice(slash + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}

export const imagesBuilt = defineCheck({
  id: 'ex2.images.built',
  exercise: 2,
  passes: '`docker image ls` lists myapp and myapi',
  title: (p) => `The ${p.expect.app.image} and ${p.expect.api.image} images are built`,
  points: { points: 1 },
  needs: ['vm'],
  dependsOn: ['ex1.docker.usable'],
  reasons: R,
  async run(ctx) {
    const { result, evidence } = await runOnVm(ctx, 'dockerImages');
    // docker.usable passed just before: a failure here is not something the student did.
    if (result.code !== 0) return error(R.failed, `\`docker image ls\` failed (exit code ${result.code}): "${firstLine(result.stderr || result.stdout)}"`, evidence);
    const listed = result.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const { app, api, repoDir } = ctx.profile.expect;
    const found = [app.image, api.image].map((name) => ({ name, images: listed.filter((l) => repositoryName(l) === name) }));
    const images = found.flatMap((f) => f.images.slice(0, 5)).map((line) => excerpt(line, 100));
    const missing = found.filter((f) => f.images.length === 0).map((f) => f.name);
    if (missing.length) {
      return fail(
        R.missing,
        `docker image ls lists no image for ${missing.join(', ')} (${listed.length} image${listed.length === 1 ? '' : 's'} listed)`,
        `Exercise 2 step 6: in ~/${repoDir} run \`docker-compose up\` (or \`docker-compose build\`); it builds both images from the compose file.`,
        { evidence: { command: evidence.command, images, listed: listed.length }, found: images.join(', ') || 'none', expected: `${app.image}, ${api.image}` },
      );
    }
    return pass(`docker image ls lists ${images.join(', ')}`, { command: evidence.command, images });
  },
});
