/** Exercise 5: kubectl access, the pull permission and the first pod. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex5Checks: CheckDef[] = [
  { id: 'ex5.kube.reachable', exercise: 5, title: "The cluster's API answers", needs: ['kube'], dependsOn: ['ex3.cluster.healthy'], run: notYetImplemented },
  { id: 'ex5.pull.authorized', exercise: 5, title: 'The cluster may pull from the registry', needs: [], dependsOn: ['ex4.registry.exists', 'ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex5.pod.running', exercise: 5, title: 'A myapp:v1.0 pod reached Running', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
];
