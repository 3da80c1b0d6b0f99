/** Exercise 7 (optional): the app installed with Helm. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex7Checks: CheckDef[] = [
  { id: 'ex7.helm.release', exercise: 7, title: 'A greetings Helm release is deployed', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex7.helm.registry', exercise: 7, title: 'The release pulls from your registry', needs: ['kube'], dependsOn: ['ex7.helm.release'], run: notYetImplemented },
  { id: 'ex7.tiller', exercise: 7, title: 'Helm 2: tiller runs as cluster-admin', needs: ['kube'], dependsOn: ['ex7.helm.release'], run: notYetImplemented },
];
