/**
 * The registry of every check, one line each, in lab order (Popeye style: one explicit list, no import
 * magic). The engine orders them by their dependencies, so a line's place here only sets report order.
 * Adding a check: one file (its `defineCheck` and its test beside it), one line here, its points in the
 * lab profile.
 */
import type { CheckDef } from '../core/check.js';
import './facts.js';
import { dockerInstalled, dockerUsable } from './ex1/docker.js';
import { vmReachable } from './ex1/vm.js';
import { composePorts, composeValid } from './ex2/compose.js';
import { imagesBuilt } from './ex2/images.js';
import { repoCloned } from './ex2/repo.js';
import { appServed } from './ex2/served.js';
import { clusterExists, clusterHealthy, clusterNodes } from './ex3/cluster.js';
import { myapiPushed, myappPushed } from './ex4/images.js';
import { registryAdmin, registryExists } from './ex4/registry.js';
import { podRunning } from './ex5/pod.js';
import { pullAuthorized } from './ex5/pull.js';
import { kubeReachable } from './ex5/reachable.js';
import { myapiDeployment, myappDeployment } from './ex6/deployments.js';
import { appE2e } from './ex6/e2e.js';
import { imageProvenance } from './ex6/provenance.js';
import { apiReplicas } from './ex6/replicas.js';
import { selfHeal } from './ex6/selfheal.js';
import { myapiService, myappService } from './ex6/services.js';
import { helmRegistry, helmRelease } from './ex7/helm.js';
import { tiller } from './ex7/tiller.js';

export const ALL_CHECKS: readonly CheckDef[] = [
  vmReachable,
  dockerInstalled,
  dockerUsable,
  repoCloned,
  composeValid,
  composePorts,
  imagesBuilt,
  appServed,
  clusterExists,
  clusterHealthy,
  clusterNodes,
  registryExists,
  registryAdmin,
  myappPushed,
  myapiPushed,
  kubeReachable,
  pullAuthorized,
  podRunning,
  myappDeployment,
  myapiDeployment,
  myapiService,
  myappService,
  appE2e,
  imageProvenance,
  apiReplicas,
  selfHeal,
  helmRelease,
  helmRegistry,
  tiller,
];

export const CHECK_IDS: readonly string[] = ALL_CHECKS.map((c) => c.id);
