/** Exercise 2 steps 6–7 (bonus): the app answers on the VM's port 80 while `docker-compose up` runs. */
import { defineCheck, fail, pass, reasons, skip } from '../../core/check.js';
import { errorMessage } from '../../core/errors.js';
import { bodyExcerpt } from '../text.js';
import { hostPortOf } from './compose.js';

/** A line only the greetings start page has (`GET /`). */
export const START_PAGE_MARKER = '<a href="/greeting">here</a>';

const R = reasons({
  noAddress: ['LG-241', 'no VM address to try the app at'],
  notServing: ['LG-242', 'the app does not answer on the VM (compose is not up)', 'absent'],
  notTheApp: ['LG-243', "the VM's port answers, but not with the greetings app"],
});

export const appServed = defineCheck({
  id: 'ex2.app.served',
  exercise: 2,
  passes: "the app answers on the VM's port 80 (only while `docker-compose up` runs)",
  title: (p) => `The app answers on the VM port ${hostPortOf(p.expect.app)}`,
  points: { bonus: 1 },
  needs: ['vm', 'http'],
  dependsOn: ['ex1.vm.reachable'],
  reasons: R,
  async run(ctx) {
    const host = ctx.target.vm?.host ?? (ctx.target.localHome ? '127.0.0.1' : undefined);
    if (!host) return skip(R.noAddress, 'no VM address is configured to try the app at');
    const port = hostPortOf(ctx.profile.expect.app);
    const url = `http://${host.includes(':') ? `[${host}]` : host}${port === 80 ? '' : `:${port}`}/`;
    const hint = `Exercise 2 steps 6–7: in ~/${ctx.profile.expect.repoDir} run \`docker-compose up\`, then open ${url} in your browser. Informational: stop it with Ctrl+C when done (Exercise 2 step 8).`;
    let answer;
    try {
      // One try: nothing is starting behind the VM's port 80 (under --wait the engine polls this check).
      answer = await ctx.probes.http.get(url, { retry: false });
    } catch (err) {
      // Not serving is the normal state after the exercise: informational, never the grader's error.
      return fail(R.notServing, `the app does not answer on ${url} (${errorMessage(err)}); this bonus passes only while \`docker-compose up\` runs on the VM`, hint, { evidence: { url } });
    }
    const evidence = { url, status: answer.status, body: bodyExcerpt(answer.body) };
    if (answer.status === 200 && answer.body.includes(START_PAGE_MARKER)) return pass(`the greetings app answers on ${url}`, evidence);
    return fail(R.notTheApp, `${url} answers with status ${answer.status}, but not with the greetings start page`, hint, { evidence });
  },
});
