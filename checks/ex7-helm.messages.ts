/** Student-facing words of the Exercise 7 checks (data, kept apart from the logic). */
const INSTALL =
  'Exercise 7: in greetings/k8s/helm run `helm install greetings . --set registry=<registry name>.azurecr.io` (Helm 3; the lab’s Helm 2 form is `helm install . --set registry=…` after `helm init --service-account=tiller`).';

export const ex7Messages = {
  release: {
    unreadable: (what: string) => `cannot tell whether a Helm release exists: ${what}`,
    none: (chart: string, helm3: number, helm2: number) =>
      `no Helm release of chart ${chart} (looked at ${helm3} Helm 3 release Secret(s) and ${helm2} Helm 2 release ConfigMap(s))`,
    hint: INSTALL,
    notDeployed: (label: string) => `the release ${label} is not deployed`,
    notDeployedHint: 'Exercise 7: `helm status <release>` tells why; fix it and `helm upgrade` (or uninstall and install again).',
    ok: (label: string) => `Helm release ${label}`,
  },
  registry: {
    undecodable: (label: string, why: string) => `cannot read the values of ${label}: ${why}`,
    default: (label: string, broken: string) => `the release ${label} leaves registry at the chart's broken default ${broken}: its images cannot be pulled`,
    other: (label: string, found: string, mine: string) => `the release ${label} sets registry=${found}, not your registry ${mine}`,
    notAzure: (label: string, found: string, domain: string) => `the release ${label} sets registry=${found}, which is not an Azure registry (*.${domain})`,
    hint: 'Exercise 7: install (or `helm upgrade`) with `--set registry=<registry name>.azurecr.io`.',
    ok: (label: string, found: string) => `the release ${label} pulls from your registry ${found}`,
    okUnverified: (label: string, found: string) => `the release ${label} pulls from ${found} (your registry is not known in this mode, so it was not compared)`,
  },
  tiller: {
    helm3: 'Helm 3 keeps no tiller: nothing to check',
    ok: (bindings: string) => `ServiceAccount kube-system/tiller exists and is bound to cluster-admin (${bindings})`,
    noAccount: 'no ServiceAccount tiller in kube-system',
    noBinding: (other: string) => `ServiceAccount kube-system/tiller is not bound to cluster-admin${other ? ` (bound to: ${other})` : ''}`,
    hint: 'Exercise 7 step 1: `kubectl -n kube-system create serviceaccount tiller` and `kubectl create clusterrolebinding tiller --clusterrole cluster-admin --serviceaccount=kube-system:tiller`.',
  },
};
