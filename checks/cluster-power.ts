/**
 * What a student runs about a cluster that `az aks stop` is still stopping. AKS refuses `az aks start`
 * while another operation is under way (409 OperationNotAllowed: "Another operation (Stopping) is in
 * progress, please wait for it to finish"), so the hint waits for the stop to end first.
 */
export const startOnceStopped = (cluster: string, rg: string): string =>
  `\`az aks stop\` is still under way and \`az aks start\` is refused until it ends: wait until \`az aks show -g ${rg} -n ${cluster} --query powerState.code -o tsv\` says Stopped, then run \`az aks start -g ${rg} -n ${cluster}\``;
