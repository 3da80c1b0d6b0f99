export { kubeProbe, type KubeProbeOptions } from './kube-probe.js';
export { kubeconfigFrom, vetKubeConfig, EXEC_REFUSED, type KubeconfigOptions, type KubeconfigSource } from './kubeconfig.js';
export { decodeHelm3Secret, decodeHelm2ConfigMap, decodeHelmPayload, helmReleases } from './helm-release.js';
export { takeSnapshot, TILLER_NAMESPACE } from './snapshot.js';
