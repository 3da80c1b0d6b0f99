/** Student-facing text of the Exercise 4 checks: what was found, and the lab step and command that fix it. */
import { AUTH_MODE_TEXT, type AuthMode } from '../probes/registry/auth.js';

export const ex4Messages = {
  noRegistry: (rg: string) => `no container registry in resource group ${rg}`,
  noRegistryHint: (rg: string, sku: string) => `Exercise 4 step 2: \`az acr create --name <registry name> --resource-group ${rg} --sku ${sku.toLowerCase()}\``,
  found: (name: string, loginServer: string, count: number, reason: string) => `registry ${name} (${loginServer}) found${count > 1 ? ` (${reason})` : ''}`,
  otherSku: (sku: string, want: string) => `its SKU is ${sku}, not the lab's ${want}: that works too (it only costs more)`,
  otherDomain: (loginServer: string, domain: string) => `its login server ${loginServer} is not under ${domain}`,

  adminOn: (name: string) => `the admin user of ${name} is enabled`,
  adminOff: (name: string) => `the admin user of ${name} is disabled`,
  adminOffHint: (name: string, rg: string) => `Exercise 4 step 2: \`az acr update -n ${name} -g ${rg} --admin-enabled true\`, then \`az acr credential show -n ${name} -g ${rg}\` for the password`,

  pushed: (loginServer: string, repo: string, tag: string) => `${loginServer}/${repo}:${tag} is in the registry`,
  noRepository: (loginServer: string, repo: string) => `repository ${repo} not found in ${loginServer}`,
  noTag: (loginServer: string, repo: string, tag: string, seen: string[]) =>
    `${loginServer}/${repo} has ${seen.length ? `tag(s) ${seen.slice(0, 10).join(', ')}${seen.length > 10 ? ', …' : ''}` : 'no tags'} but not ${tag}`,
  pushHint: (loginServer: string, tag: string) =>
    `Exercise 4 steps 3–5: on your VM, \`docker login ${loginServer}\`, then \`export REGISTRY="${loginServer}/"\` and \`export TAG="${tag}"\` (keep the trailing slash), \`docker-compose build\` and \`docker-compose push\``,
  authMode: (mode: string) => AUTH_MODE_TEXT[mode as AuthMode] ?? mode,
};
