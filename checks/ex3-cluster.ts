/** Exercise 3: the AKS cluster, discovered in the student's resource group. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex3Checks: CheckDef[] = [
  { id: 'ex3.cluster.exists', exercise: 3, title: 'An AKS cluster exists in the resource group', needs: ['azure'], dependsOn: [], run: notYetImplemented },
  { id: 'ex3.cluster.healthy', exercise: 3, title: 'The cluster is provisioned and running', needs: ['azure'], dependsOn: ['ex3.cluster.exists'], run: notYetImplemented },
  { id: 'ex3.cluster.nodes', exercise: 3, title: 'The cluster has 3 nodes', needs: ['azure'], dependsOn: ['ex3.cluster.exists'], run: notYetImplemented },
];
