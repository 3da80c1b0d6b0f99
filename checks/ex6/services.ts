/** Exercise 6: the API's Service (myapi, ClusterIP, with ready endpoints) and the app's (myapp, LoadBalancer, with an external IP), named by the profile. */
import { defineCheck, fail, pass, reasons, type Reason } from '../../core/check.js';
import { helmReleases } from '../../probes/kube/helm-release.js';
import type { HelmReleaseRecord, KubeListKind, KubeSnapshot } from '../../probes/types.js';
import { chartFolder, chartInstall, deleteLabDeployments, reinstallCommands, releasesOfChart } from '../kube/helm.js';
import { registryOr } from '../kube/images.js';
import { snapshotFor, studentRegistry } from '../kube/context.js';
import { byName } from '../kube/deployments.js';
import { selects } from '../kube/pods.js';
import { endpointsReadiness, loadBalancerAddress, mapsPort, podsSelectedBy, portsText } from '../kube/services.js';
import { fileOf, labelsText, manifestFolder, missingHint, missingMessage, podsLine, podsOf } from './workload.js';
import { excerpt } from '../text.js';

/**
 * What Exercise 7 leaves behind before the chart's Services exist: tiller's ServiceAccount (Helm 2's
 * step 1) or a Helm release record of the lab's chart that is not deployed (which must go before the
 * chart installs again under its name).
 */
function exercise7Traces(snap: KubeSnapshot, chart: string): { traces: string[]; undeployed?: HelmReleaseRecord } {
  const traces: string[] = [];
  if (!snap.unreadable.serviceAccounts && snap.serviceAccounts.some((sa) => sa.metadata?.name === 'tiller')) traces.push('ServiceAccount kube-system/tiller exists');
  const releases = snap.unreadable.helmSecrets && snap.unreadable.helmConfigMaps ? [] : releasesOfChart(helmReleases(snap.helmSecrets, snap.helmConfigMaps), chart);
  const undeployed = releases.filter((x) => x.status !== 'deployed');
  for (const r of undeployed) traces.push(`Helm release ${excerpt(r.name, 60)} is ${excerpt(r.status, 40)}`);
  return { traces, undeployed: undeployed[0] };
}

/** The Deployment check of each workload. */
const deploymentCheck = { app: 'ex6.myapp.deployment', api: 'ex6.myapi.deployment' } as const;

interface ServiceReasons {
  missing: Reason;
  removedForHelm: Reason;
  wrongType: Reason;
  wrongPorts: Reason;
  wrongSelector: Reason;
  noPods: Reason;
  notReady: Reason;
}

export const pendingMessage = (name: string) => `Service ${name}'s EXTERNAL-IP is still <pending>: Azure is still creating its public IP; wait a few minutes and re-run`;
export const pendingHint = (service: string) => `Exercise 6 step 14: repeat \`kubectl get svc\` until the ${service} service has an external IP.`;

/** A Service check: `external` grades the LoadBalancer's address, otherwise the ready endpoints. */
function serviceCheck(id: string, workload: 'app' | 'api', external: boolean, points: number, passes: string, R: ServiceReasons) {
  return defineCheck({
    id,
    exercise: 6,
    passes,
    title: (p) => {
      const w = p.expect[workload];
      return external ? `Service ${w.service} (${w.serviceType} ${w.servicePort}) has an external IP` : `Service ${w.service} (${w.serviceType} ${w.servicePort}) has endpoints`;
    },
    points: { points },
    needs: ['kube'],
    dependsOn: ['ex5.kube.reachable'],
    after: [deploymentCheck[workload]],
    // The registry names the `helm install` line of a Service removed for Exercise 7.
    uses: ['registry'],
    reasons: { ...R },
    async run(ctx) {
      const w = ctx.profile.expect[workload];
      const file = fileOf(w);
      // Stryker disable next-line ArrayDeclaration: a made-up list kind is never among the snapshot's unreadable ones (the other arrays here are killed)
      const kinds: KubeListKind[] = ['services', 'pods', 'deployments', ...(external ? [] : (['endpoints'] as const))];
      const snap = await snapshotFor(ctx.probes.kube, kinds);
      const svc = byName(snap.services, w.service);
      if (!svc) {
        const { traces, undeployed } = exercise7Traces(snap, ctx.profile.expect.helm.chart);
        if (traces.length) {
          const e = ctx.profile.expect;
          const registry = registryOr(studentRegistry(ctx, snap).loginServer, e.registryDomain);
          const finish = undeployed ? reinstallCommands(undeployed, registry, e) : `\`${deleteLabDeployments(e)}\`, then in ${chartFolder(e)} \`${chartInstall(e, registry)}\``;
          return fail(
            R.removedForHelm,
            `Service ${w.service} is gone: Exercise 7 step 2 deletes the Services before \`helm install\`, and the Helm install has not put them back (${traces.join('; ')})`,
            `Get them back either way: re-apply the lab's files (\`kubectl apply -f ${fileOf(e.app)} -f ${fileOf(e.api)}\` in ${manifestFolder(e)}), or finish Exercise 7 step 5: ${finish}.`,
            { evidence: { namespace: snap.namespace, exercise7: traces }, outcome: 'needs-fix' },
          );
        }
        return fail(R.missing, missingMessage('Service', w.service, snap.namespace), missingHint(ctx.profile.expect, w), { evidence: { namespace: snap.namespace }, outcome: 'needs-fix' });
      }
      const type = svc.spec?.type ?? 'ClusterIP';
      const ports = portsText(svc);
      const evidence: Record<string, unknown> = { service: w.service, type, ports, selector: labelsText(svc.spec?.selector) };
      const applyAgain = `Exercise 6 step 8: apply the lab's ${file} unchanged apart from the image.`;
      if (type !== w.serviceType) {
        return fail(R.wrongType, `Service ${w.service} is of type ${type}, the lab's is ${w.serviceType}`, applyAgain, { evidence, outcome: 'needs-fix', found: type, expected: w.serviceType });
      }
      const d = byName(snap.deployments, w.deployment);
      const pods = d ? podsOf(d, snap) : podsSelectedBy(svc, snap.pods);
      if (!mapsPort(svc, w.servicePort, w.targetPort, pods[0])) {
        return fail(R.wrongPorts, `Service ${w.service} maps ${ports}; the lab maps port ${w.servicePort} → ${w.targetPort}`, applyAgain, {
          evidence,
          outcome: 'needs-fix',
          found: ports,
          expected: `${w.servicePort}→${w.targetPort}/TCP`,
        });
      }
      // Matching the Deployment's template labels is what counts; pods may not exist yet.
      const templateLabels = d?.spec?.template?.metadata?.labels;
      // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
      if (d && !selects(svc.spec?.selector, templateLabels)) {
        return fail(
          R.wrongSelector,
          // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
          `Service ${w.service}'s selector ${labelsText(svc.spec?.selector)} does not match the pods of Deployment ${w.deployment} (their labels: ${labelsText(templateLabels)})`,
          applyAgain,
          // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
          { evidence, outcome: 'needs-fix', found: labelsText(svc.spec?.selector), expected: labelsText(templateLabels) },
        );
      }
      // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
      if (!d && podsSelectedBy(svc, snap.pods).length === 0) {
        // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
        return fail(R.noPods, `Service ${w.service}'s selector ${labelsText(svc.spec?.selector)} matches no pod`, missingHint(ctx.profile.expect, w), { evidence });
      }
      if (external) {
        const lb = loadBalancerAddress(svc);
        if (lb.state !== 'assigned')
          return fail(R.notReady, pendingMessage(w.service), pendingHint(w.service), { evidence: { ...evidence, externalIP: '<pending>' }, found: '<pending>', expected: 'an external IP' });
        return pass(`Service ${w.service} (LoadBalancer, ${ports}) has the external address ${lb.address}`, { ...evidence, externalIP: lb.address });
      }
      const ep = endpointsReadiness(byName(snap.endpoints, w.service));
      if (ep.ready.length === 0) {
        const listed = podsLine(pods);
        // Stryker disable next-line OptionalChaining: a Service without spec maps no port, so it failed wrongPorts above: spec is set here
        const selector = labelsText(svc.spec?.selector);
        return fail(
          R.notReady,
          `Service ${w.service} has no ready endpoints${ep.notReady.length ? ` (${ep.notReady.length} not ready)` : ''}: no ${w.deployment} pod is Ready${listed ? ` (pods: ${listed})` : ''}`,
          `Exercise 6 step 10: the ${w.deployment} pods must be Running and Ready; \`kubectl get pods --selector ${selector}\` and \`kubectl describe pod <name>\` show why they are not.`,
          // Pods that are not Ready are the Deployment's to report (an image never pushed, no pull right).
          { evidence: { ...evidence, endpoints: ep }, causedBy: deploymentCheck[workload] },
        );
      }
      return pass(`Service ${w.service} (ClusterIP, ${ports}) has ${ep.ready.length} ready endpoint(s)`, { ...evidence, endpoints: ep.ready });
    },
  });
}

export const myapiService = serviceCheck(
  'ex6.myapi.service',
  'api',
  false,
  1,
  'Service myapi: ClusterIP 8080, selector matches, ready endpoints (none ready while the Deployment fails: blocked by `ex6.myapi.deployment`)',
  reasons({
    missing: ['LG-621', (e) => `Service ${e.api.service} not found`, 'absent'],
    removedForHelm: ['LG-627', (e) => `Service ${e.api.service} removed for Exercise 7, Helm did not put it back`],
    wrongType: ['LG-622', (e) => `Service ${e.api.service} is not of the lab's type`],
    wrongPorts: ['LG-623', (e) => `Service ${e.api.service} maps other ports`],
    wrongSelector: ['LG-624', (e) => `Service ${e.api.service}'s selector misses the ${e.api.deployment} pods`],
    noPods: ['LG-625', (e) => `Service ${e.api.service}'s selector matches no pod`],
    notReady: ['LG-626', (e) => `Service ${e.api.service} has no ready endpoints`],
  }),
);

export const myappService = serviceCheck(
  'ex6.myapp.service',
  'app',
  true,
  2,
  'Service myapp: LoadBalancer 80 → 8080, selector matches, external IP assigned',
  reasons({
    missing: ['LG-631', (e) => `Service ${e.app.service} not found`, 'absent'],
    removedForHelm: ['LG-637', (e) => `Service ${e.app.service} removed for Exercise 7, Helm did not put it back`],
    wrongType: ['LG-632', (e) => `Service ${e.app.service} is not of the lab's type`],
    wrongPorts: ['LG-633', (e) => `Service ${e.app.service} maps other ports`],
    wrongSelector: ['LG-634', (e) => `Service ${e.app.service}'s selector misses the ${e.app.deployment} pods`],
    noPods: ['LG-635', (e) => `Service ${e.app.service}'s selector matches no pod`],
    notReady: ['LG-636', (e) => `Service ${e.app.service}'s external IP is still pending`],
  }),
);
