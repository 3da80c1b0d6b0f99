/** Exercise 4 steps 3–5: myapp:v1.0 and myapi:v1.0 are pushed, read through the registry's own API. */
import { defineCheck, fail, pass, reasons, type Reason } from '../../core/check.js';
import type { Evidence } from '../../core/model.js';
import { AUTH_MODE_TEXT } from '../../probes/types.js';
import { holdsTag } from '../registry-tags.js';
import { withRegistry } from './registry.js';

const pushHint = (loginServer: string, tag: string) =>
  `Exercise 4 steps 3–5: on your VM, \`docker login ${loginServer}\`, then \`export REGISTRY="${loginServer}/"\` and \`export TAG="${tag}"\` (keep the trailing slash), \`docker-compose build\` and \`docker-compose push\``;

interface PushReasons {
  gone: Reason;
  noRepository: Reason;
  noTag: Reason;
}

/** A check that `<registry>/<repository>:<tag>` was pushed, for the app's or the API's image. */
function imagePushed(id: string, workload: 'app' | 'api', passes: string, R: PushReasons) {
  return defineCheck({
    id,
    exercise: 4,
    passes,
    title: (p) => `${p.expect[workload].image}:${p.expect.tag} is pushed`,
    points: { points: 2 },
    needs: ['azure', 'registry'],
    dependsOn: ['ex4.registry.exists'],
    uses: ['registry'],
    reasons: { ...R },
    run(ctx) {
      return withRegistry(ctx, R.gone, async (r) => {
        const repo = ctx.profile.expect[workload].image;
        const tag = ctx.profile.expect.tag;
        const list = await ctx.probes.registry.tags(r.loginServer, repo);
        const evidence: Evidence = {
          registry: r.name,
          loginServer: r.loginServer,
          repository: repo,
          tag,
          repositoryExists: list.exists,
          tagsSeen: list.tags.slice(0, 50),
          // The registry listed more pages than the probe reads: the tag was asked for directly.
          ...(list.truncated ? { tagsTruncated: true } : {}),
          auth: list.auth,
        };
        if (!list.exists) return fail(R.noRepository, `repository ${repo} not found in ${r.loginServer}`, pushHint(r.loginServer, tag), { evidence, outcome: 'needs-fix', expected: `${repo}:${tag}` });
        if (!(await holdsTag(ctx.probes.registry, r.loginServer, list, tag))) {
          const seen = list.tags;
          const has = seen.length ? `tag(s) ${seen.slice(0, 10).join(', ')}${seen.length > 10 || list.truncated ? ', …' : ''}` : 'no tags';
          return fail(R.noTag, `${r.loginServer}/${repo} has ${has} but not ${tag}`, pushHint(r.loginServer, tag), {
            evidence,
            outcome: 'needs-fix',
            found: seen.slice(0, 10).join(', ') || 'none',
            expected: tag,
          });
        }
        const digest = await ctx.probes.registry.manifestDigest(r.loginServer, repo, tag);
        const how = AUTH_MODE_TEXT[list.auth] ?? list.auth;
        return pass(`${r.loginServer}/${repo}:${tag} is in the registry (read with ${how})`, { ...evidence, digest: digest ?? null });
      });
    },
  });
}

export const myappPushed = imagePushed(
  'ex4.image.myapp',
  'app',
  "`myapp:v1.0` is in the repository, read through the registry's own API",
  reasons({
    gone: ['LG-421', 'the registry is gone'],
    noRepository: ['LG-422', (e) => `repository ${e.app.image} not pushed`, 'absent'],
    noTag: ['LG-423', (e) => `${e.app.image} has no ${e.tag} tag`],
  }),
);

export const myapiPushed = imagePushed(
  'ex4.image.myapi',
  'api',
  '`myapi:v1.0` is in the repository, read the same way',
  reasons({
    gone: ['LG-431', 'the registry is gone'],
    noRepository: ['LG-432', (e) => `repository ${e.api.image} not pushed`, 'absent'],
    noTag: ['LG-433', (e) => `${e.api.image} has no ${e.tag} tag`],
  }),
);
