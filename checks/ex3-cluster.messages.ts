/** Student-facing text of the Exercise 3 checks: what was found, and the lab step and command that fix it. */
const create = (rg: string) => `az aks create --name <cluster name> --resource-group ${rg} --generate-ssh-keys`;

export const ex3Messages = {
  groupMissing: (rg: string) => `resource group ${rg} not found`,
  groupMissingHint: (rg: string) =>
    `Use the resource group your instructor gave you (check with \`az group show --name ${rg}\`), then Exercise 3 step 2: \`${create(rg)}\``,
  noCluster: (rg: string) => `no AKS cluster in resource group ${rg}`,
  noClusterHint: (rg: string) => `Exercise 3 step 2: create it with \`${create(rg)}\` (it may take about 10 minutes; you need not wait for it)`,
  found: (name: string, count: number, reason: string) => `cluster ${name} found${count > 1 ? ` (${reason})` : ''}`,

  healthy: (name: string) => `cluster ${name} is provisioned (Succeeded) and Running`,
  inProgress: (name: string, state: string) => `cluster ${name} is still ${state}: wait and re-run`,
  inProgressHint: (name: string, rg: string) =>
    `Exercise 3 step 2: \`az aks create\` goes on in the background. Watch it with \`az aks show --name ${name} --resource-group ${rg} --query provisioningState\` and re-run the grader when it says Succeeded`,
  stopped: (name: string, power: string) => `cluster ${name} is ${power}, not Running`,
  stoppedHint: (name: string, rg: string) => `Start it: \`az aks start --name ${name} --resource-group ${rg}\`, then re-run`,
  broken: (name: string, state: string) => `cluster ${name} is in provisioning state ${state}`,
  brokenHint: (name: string, rg: string) =>
    `Exercise 3 step 2: try \`az aks update --name ${name} --resource-group ${rg}\`; if it stays failed, delete it (\`az aks delete --name ${name} --resource-group ${rg}\`) and \`${create(rg)}\` again`,
  deleting: (name: string) => `cluster ${name} is being deleted`,

  nodes: (n: number, ready?: number) => `the agent pools have ${n} node(s)${ready === undefined ? '' : `, ${ready} Ready in Kubernetes`}`,
  wrongCount: (sum: number, want: number, pools: string) => `the agent pools add up to ${sum} node(s) (${pools}), the lab wants ${want}`,
  wrongCountHint: (name: string, rg: string, want: number) =>
    `Exercise 3 step 2 creates ${want} nodes by default. Scale the cluster: \`az aks scale --name ${name} --resource-group ${rg} --node-count ${want}\``,
  notReady: (ready: number, want: number) => `only ${ready} of ${want} nodes are Ready in Kubernetes`,
  notReadyHint: (name: string, rg: string) => `Nodes become Ready a few minutes after creating or scaling: wait and re-run; check with \`kubectl get nodes\` (after \`az aks get-credentials --name ${name} --resource-group ${rg}\`)`,
};
