/**
 * What real students do on real Azure (fixtures/scenarios/realism): each scenario is one case of a
 * student a careful teaching assistant grades differently from a naive grader — a stopped or
 * half-updated cluster, Docker without permission by CLI version or with its daemon stopped, Compose with .env and overrides, two
 * clusters or registries, Helm values in values.yaml, a re-pushed tag, pull rights by identity and ABAC
 * mode (a repository role limited by an ABAC condition included), Entra clusters, no listCredentials right, several in-memory replicas, Exercise 7 abandoned,
 * which cluster or registry is the student's when there are several (each step of the discovery ladder),
 * and the grader's own identity without the rights it needs (its checks `error LG-016`, never a fail). The
 * whole simulated lab is started and the class graded as `lab-grade demo` grades it; each student's
 * verdicts must be its `expect:` block, and the hints name the student's own cluster, group, registry
 * and release.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { wholeStudents } from '../core/result-spool.js';
import { runDemo } from '../app/demo.js';
import { NO_NOTICES } from '../app/io.js';
import type { CheckResult, StudentResult } from '../core/model.js';
import { bufferOutput } from '../reporters/replay.js';
import { clusterId, graderIdentity, registryId } from '../sandbox/arm/ids.js';
import { SANDBOX_TENANT } from '../sandbox/arm/server.js';
import { SANDBOX_SUBSCRIPTION } from '../sandbox/lab.js';
import { loadScenarios } from '../sandbox/scenario.js';
import { mismatches } from '../test/support/expectations.js';
import { CHECK_IDS } from './index.js';

const DIR = 'fixtures/scenarios/realism';
const scenarios = loadScenarios([DIR], CHECK_IDS);

let students: Map<string, StudentResult>;
beforeAll(async () => {
  const { run } = await runDemo({ concurrency: 8, reports: [{ format: 'json' }] }, [DIR], { stdout: bufferOutput(), notices: NO_NOTICES });
  students = new Map(Array.from(wholeStudents(run), (s) => [s.user, s]));
}, 180_000);

/** The grader's own identity in the simulated lab, and the commands that grant it a role on a student's resource. */
const GRADER = graderIdentity(SANDBOX_TENANT).objectId;
const clusterOf = (user: string, cluster: string) => clusterId(SANDBOX_SUBSCRIPTION, `${user}-rg`, cluster);
const registryOf = (user: string, registry: string) => registryId(SANDBOX_SUBSCRIPTION, `${user}-rg`, registry);
const grantRole = (role: string, scope: string) => `az role assignment create --role "${role}" --assignee ${GRADER} --scope ${scope}`;

const checksOf = (user: string): Record<string, CheckResult> => Object.fromEntries(students.get(user)!.checks.map((c) => [c.id, c]));

/** What the verdicts must carry beyond status and code: the hint's command with the student's own names, and the evidence the decision rests on. */
const DETAILS: Record<string, Record<string, { hint?: string[]; message?: string[]; evidence?: Record<string, unknown>; found?: string; expected?: string }>> = {
  'real-cluster-stopped': {
    'ex3.cluster.healthy': { hint: ['az aks start --name aks-cluster-stopped --resource-group real-cluster-stopped-rg'], found: 'Succeeded, Stopped', expected: 'Succeeded, Running' },
    'ex5.kube.reachable': {
      message: ['az aks start --name aks-cluster-stopped --resource-group real-cluster-stopped-rg', 'then re-run'],
      evidence: { cluster: 'aks-cluster-stopped', powerState: 'Stopped' },
    },
    'ex5.pull.authorized': { evidence: { registry: 'realclusterstoppedacr.azurecr.io', role: 'AcrPull' } },
  },
  'real-cluster-stopped-pull-unknown': {
    'ex5.pull.authorized': { evidence: { registry: 'realclusterstoppedpullunknownacr.azurecr.io', identityUnresolved: expect.stringContaining('Authorization_RequestDenied') } },
  },
  'real-cluster-starting': {
    'ex3.cluster.healthy': { hint: ['az aks show --name aks-cluster-starting --resource-group real-cluster-starting-rg --query provisioningState'], found: 'Starting, Running' },
    'ex5.kube.reachable': { message: ['cluster aks-cluster-starting is still Starting', 'wait and re-run'], evidence: { provisioningState: 'Starting', powerState: 'Running' } },
    'ex5.pull.authorized': { evidence: { registry: 'realclusterstartingacr.azurecr.io', role: 'AcrPull' } },
  },
  'real-cluster-failed-api-works': {
    'ex3.cluster.healthy': { hint: ['az aks update --name aks-cluster-failed-api-works --resource-group real-cluster-failed-api-works-rg'], found: 'Failed, Running' },
  },
  'real-cluster-updating-api-works': {
    'ex3.cluster.healthy': { hint: ['az aks show --name aks-cluster-updating-api-works --resource-group real-cluster-updating-api-works-rg'], found: 'Updating, Running' },
  },
  'real-docker-denied-cli-23': { 'ex1.docker.usable': { hint: ['sudo usermod -aG docker $USER'], evidence: { exitCode: 0 } } },
  'real-docker-denied-cli-28-0': {
    'ex1.docker.usable': { hint: ['sudo usermod -aG docker $USER'], evidence: { exitCode: 0 } },
    'ex2.app.served': { hint: ['http://real-docker-denied-cli-28-0-lab.westeurope.cloudapp.azure.com/'] },
  },
  'real-docker-denied-cli-28-2': { 'ex1.docker.usable': { hint: ['sudo usermod -aG docker $USER'], evidence: { exitCode: 1 } } },
  'real-docker-daemon-stopped': { 'ex1.docker.usable': { hint: ['sudo systemctl start docker'], evidence: { exitCode: 0 } } },
  'real-compose-dotenv-port': { 'ex2.compose.ports': { evidence: { envFile: '~/greetings/.env', written: '${APP_PORT:-8080}:8080' }, found: '80:8080' } },
  'real-compose-override-ports': {
    'ex2.compose.ports': {
      evidence: { file: '~/greetings/docker-compose.yaml', overrideFile: '~/greetings/docker-compose.override.yml', writtenIn: '~/greetings/docker-compose.override.yml', line: 4 },
    },
  },
  'real-compose-hardcoded-image': {
    'ex2.compose.valid': {
      hint: ['docker-compose.yaml line 5', '"${REGISTRY}myapp:${TAG-latest}"'],
      found: 'realcomposehardcodedimageacr.azurecr.io/myapp:v1.0',
      expected: '${REGISTRY}myapp:${TAG-latest}',
    },
  },
  'real-compose-registry-slash': { 'ex2.compose.valid': { evidence: { services: { app: { build: 'myapp/.', image: '${REGISTRY}/myapp:${TAG-latest}' } } } } },
  'real-compose-override-broken': { 'ex2.compose.valid': { hint: ['docker-compose.override.yml line 5'], evidence: { overrideFile: '~/greetings/docker-compose.override.yml' } } },
  'real-two-clusters': {
    'ex3.cluster.exists': { evidence: { cluster: 'aks-lab', candidates: ['aks-attempt1', 'aks-lab'], reason: expect.stringContaining("the lab's Deployments") } },
    'ex5.kube.reachable': { evidence: { cluster: 'aks-lab', candidates: ['aks-attempt1', 'aks-lab'] } },
  },
  'real-two-clusters-pod-only': {
    'ex3.cluster.exists': {
      evidence: { cluster: 'aks-pod', candidates: ['aks-empty', 'aks-pod'], reason: expect.stringContaining('its pods pull from your registry realtwoclusterspodonlyacr.azurecr.io') },
    },
    'ex5.kube.reachable': { evidence: { cluster: 'aks-pod' } },
  },
  'real-two-clusters-work-stopped': {
    'ex3.cluster.exists': {
      evidence: { cluster: 'aks-lab', candidates: ['aks-attempt1', 'aks-lab'], reason: expect.stringContaining('its pulling identity holds AcrPull on your registry realtwoclustersworkstoppedacr') },
    },
    'ex3.cluster.healthy': { hint: ['az aks start --name aks-lab --resource-group real-two-clusters-work-stopped-rg'] },
    'ex5.kube.reachable': {
      message: ['az aks start --name aks-lab --resource-group real-two-clusters-work-stopped-rg'],
      evidence: { cluster: 'aks-lab', chosenBecause: expect.stringContaining('AcrPull') },
    },
    'ex5.pull.authorized': { evidence: { role: 'AcrPull', registry: 'realtwoclustersworkstoppedacr.azurecr.io' } },
  },
  'real-two-clusters-stopped-unmatched': {
    'ex3.cluster.exists': { evidence: { cluster: 'aks-lab', reason: expect.stringContaining('its API could not be read (it is Stopped)') } },
    'ex5.kube.reachable': { message: ['az aks start --name aks-lab --resource-group real-two-clusters-stopped-unmatched-rg'] },
  },
  'real-two-clusters-empty-tie': {
    'ex3.cluster.exists': { evidence: { cluster: 'aks-b', candidates: ['aks-a', 'aks-b'], reason: expect.stringContaining('the newest, created') } },
    'ex3.cluster.nodes': { evidence: { cluster: 'aks-b', total: 3 } },
    'ex5.pull.authorized': { hint: ['az aks update --name aks-b --resource-group real-two-clusters-empty-tie-rg --attach-acr realtwoclustersemptytieacr'] },
  },
  'real-two-registries-role': {
    'ex4.registry.exists': {
      evidence: { registry: 'realtworegsroleacr', candidates: ['aaacopyacr', 'realtworegsroleacr'], reason: 'a cluster of yours holds a pull role on it (aks-two-registries-role: AcrPull)' },
    },
  },
  'real-two-registries-tie': {
    'ex4.registry.exists': { evidence: { registry: 'realtworegstieacr', candidates: ['aaafirstacr', 'realtworegstieacr'], reason: expect.stringContaining('the newest, created') } },
  },
  'real-kubeconfig-of-another': {
    // Graded here from Azure; checks/kubeconfig.scenarios.test.ts grades it with another student's kubeconfig, to the same verdicts.
    'ex3.cluster.exists': { evidence: { cluster: 'aks-kubeconfig-of-another', candidates: ['aks-kubeconfig-of-another'] } },
    'ex5.kube.reachable': { evidence: { cluster: 'aks-kubeconfig-of-another' } },
  },
  'real-two-registries': {
    'ex4.registry.exists': { evidence: { registry: 'realtworegsacr', candidates: ['aaafirsttry', 'realtworegsacr'], reason: expect.stringContaining('pods pull from it') } },
  },
  'real-helm3-values-yaml': { 'ex7.helm.registry': { evidence: { release: 'greetings', registry: 'realhelm3valuesyamlacr.azurecr.io', from: "the chart's values.yaml" } } },
  'real-helm2-values-yaml': { 'ex7.helm.registry': { evidence: { release: 'jolly-otter', registry: 'realhelm2valuesyamlacr.azurecr.io', from: "the chart's values.yaml" } } },
  'real-helm3-set-overrides': { 'ex7.helm.registry': { evidence: { registry: 'realhelm3setoverridesacr.azurecr.io', from: 'given at install' } } },
  'real-helm3-set-breaks': { 'ex7.helm.registry': { hint: ['helm upgrade greetings . --set registry=realhelm3setbreaksacr.azurecr.io'], evidence: { registry: 'azurezr.io' } } },
  'real-repushed-after-deploy': {
    'ex6.image.provenance': {
      evidence: { otherPushes: expect.arrayContaining([expect.objectContaining({ repository: 'myapp', pulledAs: 'v1.0', olderPushOfLabTag: true })]) },
    },
  },
  'real-msi-kubelet-acrpull-group': { 'ex5.pull.authorized': { evidence: { role: 'AcrPull', scope: expect.stringMatching(/\/resourceGroups\/real-msi-kubelet-acrpull-group-rg$/) } } },
  'real-sp-acrpull': { 'ex5.pull.authorized': { evidence: { role: 'AcrPull' } } },
  'real-sp-graph-forbidden-pods-run': { 'ex5.pull.authorized': { evidence: { roleAssignments: expect.stringContaining('Authorization_RequestDenied'), pods: expect.any(Array) } } },
  'real-abac-acrpull': {
    'ex5.pull.authorized': {
      hint: ['az aks update --name aks-abac-acrpull --resource-group real-abac-acrpull-rg --attach-acr realabacacrpullacr'],
      evidence: { roleAssignmentMode: 'AbacRepositoryPermissions', rolesThatCount: expect.arrayContaining(['Container Registry Repository Reader']) },
    },
  },
  'real-abac-reader-other-repositories': {
    'ex5.pull.authorized': {
      message: ['only for some repositories (an ABAC condition)'],
      evidence: {
        roleAssignmentMode: 'AbacRepositoryPermissions',
        limitedByCondition: [
          "Container Registry Repository Reader on …/registries/realabacotherreposacr, only where repository name StringEqualsIgnoreCase 'greetings/myapp' OR StringEqualsIgnoreCase 'greetings/myapi'",
        ],
      },
    },
  },
  'real-abac-reader-lab-repos-stopped': {
    'ex5.pull.authorized': { evidence: { role: 'Container Registry Repository Reader', roleAssignmentMode: 'AbacRepositoryPermissions' } },
    'ex5.kube.reachable': { evidence: { cluster: 'aks-abac-lab-repos', powerState: 'Stopped' } },
  },
  'real-abac-repository-reader': { 'ex5.pull.authorized': { evidence: { role: 'Container Registry Repository Reader', roleAssignmentMode: 'AbacRepositoryPermissions' } } },
  'real-entra-cluster': { 'ex5.kube.reachable': { evidence: { cluster: 'aks-entra-cluster' } } },
  'real-admin-no-list-credentials': { 'ex4.image.myapp': { evidence: { auth: 'entra-exchange', tagsSeen: ['v1.0'] } }, 'ex4.registry.admin': { evidence: { adminUserEnabled: true } } },
  'real-e2e-three-api-replicas': { 'ex6.app.e2e': { evidence: { listed: 1 } }, 'ex6.api.replicas': { evidence: { replicas: 3, SPRING_DATASOURCE_URL: 'not set' } } },
  'real-ex7-abandoned-helm3': {
    'ex6.myapp.service': {
      hint: ['kubectl apply -f myapp.yaml -f myapi.yaml', 'helm uninstall greetings', 'helm install greetings . --set registry=realex7abandonedhelm3acr.azurecr.io'],
      evidence: { exercise7: ['Helm release greetings is failed'] },
    },
    'ex7.helm.release': { hint: ['helm status greetings', 'helm uninstall greetings', 'helm install greetings . --set registry=realex7abandonedhelm3acr.azurecr.io'], found: 'failed' },
  },
  'real-entra-grader-not-bound': {
    'ex6.myapp.deployment': {
      message: [`kubectl create clusterrolebinding lab-grade-reader --clusterrole=lab-grade-reader --user=${GRADER}`],
      evidence: {
        missingRight: {
          principal: GRADER,
          scope: 'cluster aks-entra-grader-not-bound',
          grant: expect.stringContaining('kubectl create clusterrole lab-grade-reader --verb=get,list,watch --resource=pods,pods/proxy,'),
        },
      },
    },
    'ex5.kube.reachable': { evidence: { cluster: 'aks-entra-grader-not-bound' } },
  },
  'real-entra-azure-rbac-no-reader': {
    'ex5.pod.running': {
      message: [grantRole('Azure Kubernetes Service RBAC Reader', clusterOf('real-entra-azure-rbac-no-reader', 'aks-azure-rbac-no-reader'))],
      evidence: {
        missingRight: { principal: GRADER, right: 'the Azure role "Azure Kubernetes Service RBAC Reader"', scope: clusterOf('real-entra-azure-rbac-no-reader', 'aks-azure-rbac-no-reader') },
      },
    },
  },
  'real-entra-azure-rbac-rbac-reader': {
    'ex7.helm.release': { message: ['list secrets', grantRole('lab-grade Kubernetes reader', clusterOf('real-entra-azure-rbac-rbac-reader', 'aks-azure-rbac-rbac-reader'))] },
  },
  'real-abac-grader-no-repository-role': {
    'ex4.image.myapp': {
      message: [grantRole('Container Registry Repository Reader', registryOf('real-abac-grader-no-repository-role', 'realabacgradernoroleacr'))],
      evidence: { auth: 'entra-exchange', status: 401, missingRight: { principal: GRADER, scope: registryOf('real-abac-grader-no-repository-role', 'realabacgradernoroleacr') } },
    },
  },
  'real-admin-no-list-credentials-abac': {
    'ex4.image.myapi': {
      message: [grantRole('Container Registry Repository Reader', registryOf('real-admin-no-list-credentials-abac', 'realnolistcredsabacacr'))],
      evidence: { auth: 'entra-exchange' },
    },
    'ex4.registry.admin': { evidence: { adminUserEnabled: true } },
  },
  'real-grader-reader-only': {
    'ex5.kube.reachable': {
      message: [grantRole('Azure Kubernetes Service Cluster User Role', clusterOf('real-grader-reader-only', 'aks-grader-reader-only'))],
      evidence: { status: 403, missingRight: { principal: GRADER, right: 'the Azure role "Azure Kubernetes Service Cluster User Role"' } },
    },
    'ex4.image.myapp': { evidence: { auth: 'entra-exchange' } },
  },
  'real-ex7-abandoned-helm2-tiller': {
    'ex6.myapi.service': {
      hint: ['kubectl apply -f myapp.yaml -f myapi.yaml', 'helm install greetings . --set registry=realex7abandonedhelm2tilleracr.azurecr.io'],
      evidence: { exercise7: ['ServiceAccount kube-system/tiller exists'] },
    },
  },
};

describe('realism: every case gets the verdicts the rubric gives', () => {
  it.each(scenarios.map((s) => [s.user, s] as const))('%s', (user, s) => {
    expect(Object.keys(s.expect).sort()).toEqual([...CHECK_IDS].sort());
    expect(mismatches(s, students.get(user)!.checks)).toEqual([]);
  });
});

describe('realism: what the verdicts carry', () => {
  it.each(Object.entries(DETAILS))('%s', (user, details) => {
    const by = checksOf(user);
    for (const [id, want] of Object.entries(details)) {
      for (const part of want.hint ?? []) expect(by[id].hint, `${user} ${id} hint`).toContain(part);
      for (const part of want.message ?? []) expect(by[id].message, `${user} ${id} message`).toContain(part);
      if (want.evidence) expect(by[id].evidence, `${user} ${id} evidence`).toMatchObject(want.evidence);
      if (want.found !== undefined) expect(by[id].found, `${user} ${id} found`).toBe(want.found);
      if (want.expected !== undefined) expect(by[id].expected, `${user} ${id} expected`).toBe(want.expected);
    }
  });

  it('a stopped cluster leaves the student incomplete (not failed), with Exercises 5-7 waiting on its API', () => {
    for (const user of [
      'real-cluster-stopped',
      'real-cluster-stopped-pull-unknown',
      'real-two-clusters-work-stopped',
      'real-two-clusters-stopped-unmatched',
      'real-abac-reader-lab-repos-stopped',
      'real-cluster-starting',
    ]) {
      expect([user, students.get(user)!.status]).toEqual([user, 'incomplete']);
    }
    for (const user of ['real-cluster-failed-api-works', 'real-cluster-updating-api-works']) expect([user, students.get(user)!.status]).toEqual([user, 'graded']);
  });

  it('every case has a scenario, and every scenario is asserted beyond its verdicts', () => {
    expect(Object.keys(DETAILS).sort()).toEqual(scenarios.map((s) => s.user).sort());
  });
});
