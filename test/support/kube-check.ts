/**
 * Running one Kubernetes check on a hand-built snapshot, without the engine or the catalogue: the
 * check modules' unit tests import only the check they test, so a mutant that breaks another check's
 * module cannot stop them from loading.
 */
import type { CheckDef, Facts, Verdict } from '../../core/check.js';
import type { LabProfile } from '../../core/profile.js';
import type { HelmReleaseRecord, KubeProbe, KubeSnapshot } from '../../probes/types.js';
import { runWith } from './check-run.js';

/** A snapshot of a cluster with nothing in it but `parts`. */
export function kubeSnapshot(parts: Partial<KubeSnapshot> = {}): KubeSnapshot {
  return {
    takenAt: '2024-05-01T10:00:00Z',
    server: 'https://127.0.0.1:6443',
    namespace: 'default',
    pods: [],
    deployments: [],
    replicaSets: [],
    services: [],
    endpoints: [],
    events: [],
    nodes: [],
    helmSecrets: [],
    helmConfigMaps: [],
    serviceAccounts: [],
    clusterRoleBindings: [],
    unreadable: {},
    ...parts,
  };
}

/** A Kubernetes probe whose snapshot is `snap`, or that fails with it. */
export const standInKube = (snap: KubeSnapshot | Error): KubeProbe =>
  ({
    description: 'stand-in',
    snapshot: async () => {
      if (snap instanceof Error) throw snap;
      return snap;
    },
  }) as unknown as KubeProbe;

/** Runs `check` for labuser07 on `snap`, with the facts earlier checks provided (runWith, on a stand-in Kubernetes probe). */
export const runKubeCheck = (check: CheckDef<'kube'>, snap: KubeSnapshot | Error, { facts, profile }: { facts: Partial<Facts>; profile: LabProfile }): Promise<Verdict> =>
  runWith(check, { kube: standInKube(snap) }, { facts, profile });

/** A deployed Helm 3 release of the lab's chart as the probe reads it, with `over` changed (its Secret's name follows). */
export const helmReleaseRecord = (over: Partial<HelmReleaseRecord> = {}): HelmReleaseRecord => ({
  source: 'helm3-secret',
  namespace: 'default',
  objectName: `sh.helm.release.v1.${over.name ?? 'greetings'}.v${over.version ?? 1}`,
  name: 'greetings',
  version: 1,
  status: 'deployed',
  chartName: 'greetings',
  chartVersion: '0.3.0',
  values: {},
  ...over,
});
