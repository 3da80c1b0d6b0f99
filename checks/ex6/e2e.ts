/** Exercise 6: the app works through the LoadBalancer's external IP: start page, form, and a posted greeting listed in the answer. */
import { defineCheck, fail, pass, reasons, type Reason, type Verdict } from '../../core/check.js';
import { ProbeError, type HttpAnswer } from '../../probes/types.js';
import { snapshotFor, studentRegistry } from '../kube/context.js';
import { byName, replicaStatus } from '../kube/deployments.js';
import { expectedImage } from '../kube/images.js';
import { hasForm, hasStartLink, isNginxWelcome, isResultPage, listedContents } from '../kube/greetings.js';
import { endpointsReadiness, httpUrl, loadBalancerAddress } from '../kube/services.js';
import { bodyExcerpt, excerpt } from '../text.js';
import { pendingHint, pendingMessage } from './services.js';
import { envStays, envText, fileOf, replicaNote } from './workload.js';

const R = reasons({
  pending: ['LG-641', "the app's external IP is still pending"],
  redirect: ['LG-642', 'the app redirects elsewhere'],
  nginx: ['LG-643', 'the external IP shows nginx, not the greetings app'],
  unavailable: ['LG-644', 'the app answers 5xx (still starting)'],
  noStartPage: ['LG-645', 'the start page is not the greetings app'],
  noForm: ['LG-646', 'the form page is not the greetings form'],
  api500: ['LG-647', (e) => `posting a greeting fails: ${e.app.deployment} cannot reach ${e.api.service}`],
  unexpected: ['LG-648', 'posting a greeting answers unexpectedly'],
  missing: ['LG-649', 'the posted greeting is not listed in the answer'],
  noAnswer: ['LG-650', 'the app does not answer'],
});

const noAnswerHint = 'Exercise 6 step 15: open http://<external IP> in a browser; `kubectl get pods` must show every pod Running. Re-run once it answers.';

type WrongMessage = (url: string, status: number, text: string) => string;
/** The app's Deployment and image; `down`: the check whose failure explains an app that does not serve (its Deployment with no replica available), if any. */
type AppInfo = { deployment: string; file: string; image: string; down?: string };

/** Why a page is not the one wanted, or undefined when it is. */
const pageProblem = (a: HttpAnswer, wanted: (html: string) => boolean, wrong: Reason, wrongMessage: WrongMessage, app: AppInfo): Verdict | undefined =>
  a.status === 200 && wanted(a.body) && !isNginxWelcome(a.body) ? undefined : wrongPage(a, wrong, wrongMessage, app);

/** What is wrong with a page that is not the one wanted: a redirect, nginx's page, a server error, or `wrong`. */
function wrongPage(a: HttpAnswer, wrong: Reason, wrongMessage: WrongMessage, app: AppInfo): Verdict {
  const evidence = { url: a.url, status: a.status, excerpt: bodyExcerpt(a.body) };
  if (a.status >= 300 && a.status < 400 && a.headers.location) {
    return fail(R.redirect, `${a.url} redirects to ${excerpt(String(a.headers.location))}, which the grader does not follow`, noAnswerHint, { evidence, outcome: 'needs-fix' });
  }
  if (isNginxWelcome(a.body)) {
    return fail(
      R.nginx,
      `${a.url} shows nginx's welcome page, not the greetings app: the ${app.deployment} Deployment runs an nginx image`,
      `Exercise 6 steps 4–8: the image in ${app.file} must be ${app.image}; apply it again with \`kubectl apply -f ${app.file}\`.`,
      {
        evidence,
        outcome: 'needs-fix',
      },
    );
  }
  if (a.status >= 500) {
    return fail(R.unavailable, `${a.url} answered ${a.status}: the app is not serving yet (pods are Ready before Spring has started); wait and re-run`, noAnswerHint, {
      evidence,
      ...(app.down ? { causedBy: app.down } : {}),
    });
  }
  return fail(wrong, wrongMessage(a.url, a.status, bodyExcerpt(a.body, 80)), noAnswerHint, { evidence, outcome: 'needs-fix' });
}

export const appE2e = defineCheck({
  id: 'ex6.app.e2e',
  exercise: 6,
  passes:
    'start page → form → POST `lab-grade <nonce>` through the external IP lists the greeting; needs `ex6.myapp.service`; transient failures (refused, 502/503/504, timeouts) are retried within the wait budget; several in-memory myapi replicas still pass (kube-proxy balances per connection); an app down with no myapp replica available is blocked by `ex6.myapp.deployment`',
  title: () => 'The app works through the external IP',
  points: { points: 3 },
  needs: ['kube', 'http'],
  dependsOn: ['ex6.myapp.service'],
  after: ['ex6.myapp.deployment', 'ex6.myapi.service'],
  uses: ['registry'],
  reasons: R,
  async run(ctx) {
    const e = ctx.profile.expect;
    const snap = await snapshotFor(ctx.probes.kube, ['services']);
    const svc = byName(snap.services, e.app.service);
    const lb = svc ? loadBalancerAddress(svc) : undefined;
    if (lb?.state !== 'assigned') return fail(R.pending, pendingMessage(e.app.service), pendingHint(e.app.service), { evidence: { externalIP: '<pending>' } });
    const http = ctx.probes.http;
    const start = httpUrl(lb.address, e.app.servicePort);
    const formUrl = httpUrl(lb.address, e.app.servicePort, '/greeting');
    const greeting = `lab-grade ${ctx.options.nonce}`;
    // The retries wait for Spring behind a Ready pod; with no Ready pod behind the Service nothing is
    // starting, so a snapshot tries once (under --wait the engine polls the check again anyway).
    const ep = snap.unreadable.endpoints ? undefined : endpointsReadiness(byName(snap.endpoints, e.app.service));
    const firstTry = ctx.options.waitMs <= 0 && ep?.ready.length === 0 ? { retry: false } : undefined;
    // No replica of the app available: an app that does not answer is the Deployment's failure to report.
    const appDeployment = snap.unreadable.deployments ? undefined : byName(snap.deployments, e.app.deployment);
    const appDown = appDeployment && replicaStatus(appDeployment).available === 0 ? 'ex6.myapp.deployment' : undefined;
    const app: AppInfo = { deployment: e.app.deployment, file: fileOf(e.app), image: expectedImage(e, studentRegistry(ctx, snap).loginServer, e.app.image), down: appDown };
    try {
      const home = await http.get(start, firstTry);
      const p1 = pageProblem(home, hasStartLink, R.noStartPage, (url, status, text) => `${url} answered ${status} without the start page's link to /greeting: "${text}"`, app);
      if (p1) return p1;
      const form = await http.get(formUrl);
      const p2 = pageProblem(form, hasForm, R.noForm, (url, status, text) => `${url} answered ${status} without the greeting form: "${text}"`, { ...app, down: undefined });
      if (p2) return p2;
      const answer = await http.postForm(formUrl, { content: greeting });
      const evidence = { url: formUrl, status: answer.status, excerpt: bodyExcerpt(answer.body) };
      if (answer.status === 500) {
        const text = bodyExcerpt(answer.body, 80);
        return fail(
          R.api500,
          `POST ${formUrl} answered 500${text ? ` ("${text}")` : ''}: ${e.app.deployment} could not reach ${e.api.deployment}: check ${envText(e.app)} in ${app.file} and that the ${e.api.service} Service's selector matches the ${e.api.deployment} pods`,
          `Exercise 6 steps 5–7: \`kubectl describe svc ${e.api.service}\` must list endpoints; ${envStays(e.app)}.`,
          // When the API is not serving, or the app is not told where it is, that is the real cause, said once.
          { evidence, causedBy: ['ex6.myapi.service', 'ex6.myapp.deployment'] },
        );
      }
      if (answer.status !== 200 || !isResultPage(answer.body)) {
        const unexpected = (url: string, status: number, text: string) => `POST ${url} answered ${status}: "${text}"`;
        return wrongPage(answer, R.unexpected, unexpected, { ...app, down: undefined });
      }
      const listed = listedContents(answer.body);
      if (listed.includes(greeting)) return pass(`${start}: start page, form, and the posted greeting "${greeting}" listed in the answer`, { url: start, greeting, listed: listed.length });
      const apiReplicas = replicaStatus(byName(snap.deployments, e.api.deployment) ?? {}).desired;
      const several = !snap.unreadable.deployments && apiReplicas > 1;
      const unpredictable = `; ${e.api.deployment} runs ${apiReplicas} replicas, each with its own in-memory list, so the POST and the list went to different pods: the lab's "unpredictable" state`;
      return fail(
        R.missing,
        `the answer to posting "${greeting}" lists ${listed.length} greeting(s) but not this one${several ? unpredictable : ''}`,
        several ? replicaNote(e.api) : `Exercise 6 step 16: add a message in the app through the browser; the answer must list it. Check the ${e.api.deployment} pod with \`kubectl logs\`.`,
        { evidence: { ...evidence, greeting, listed: listed.slice(0, 5), ...(several ? { myapiReplicas: apiReplicas } : {}) }, outcome: 'needs-fix' },
      );
    } catch (err) {
      // The app not answering is the student's to fix; the grader being barred from the address is not.
      if (err instanceof ProbeError && err.probe === 'http' && !err.detail.refused) {
        return fail(R.noAnswer, `the app does not answer: ${err.message}`, noAnswerHint, { evidence: { url: start, ...err.detail }, ...(appDown ? { causedBy: appDown } : {}) });
      }
      throw err;
    }
  },
});
