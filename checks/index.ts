/** The explicit registry of every check, in lab order (Popeye style: one map, no import magic). */
import type { CheckDef } from '../core/check.js';
import { ex1Checks } from './ex1-vm.js';
import { ex2Checks } from './ex2-compose.js';
import { ex3Checks } from './ex3-cluster.js';
import { ex4Checks } from './ex4-registry.js';
import { ex5Checks } from './ex5-pod.js';
import { ex6Checks } from './ex6-deploy.js';
import { ex7Checks } from './ex7-helm.js';

export const ALL_CHECKS: readonly CheckDef[] = [
  ...ex1Checks,
  ...ex2Checks,
  ...ex3Checks,
  ...ex4Checks,
  ...ex5Checks,
  ...ex6Checks,
  ...ex7Checks,
];

export const CHECK_IDS: readonly string[] = ALL_CHECKS.map((c) => c.id);
