/** Exercise 6: Deployments, Services, the app end to end, replicas and self-healing. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex6Checks: CheckDef[] = [
  { id: 'ex6.myapp.deployment', exercise: 6, title: 'Deployment myapp runs 3 replicas of your image', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex6.myapi.deployment', exercise: 6, title: 'Deployment myapi runs your image', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex6.myapi.service', exercise: 6, title: 'Service myapi (ClusterIP 8080) has endpoints', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex6.myapp.service', exercise: 6, title: 'Service myapp (LoadBalancer 80) has an external IP', needs: ['kube'], dependsOn: ['ex5.kube.reachable'], run: notYetImplemented },
  { id: 'ex6.app.e2e', exercise: 6, title: 'The app works through the external IP', needs: ['kube', 'http'], dependsOn: ['ex6.myapp.service'], run: notYetImplemented },
  { id: 'ex6.image.provenance', exercise: 6, title: 'The pods run the images you pushed', needs: ['kube', 'registry'], dependsOn: ['ex5.kube.reachable', 'ex4.registry.exists'], run: notYetImplemented },
  { id: 'ex6.api.replicas', exercise: 6, title: 'The greetings state is consistent', needs: ['kube'], dependsOn: ['ex6.myapi.deployment'], after: ['ex6.app.e2e'], run: notYetImplemented },
  { id: 'ex6.selfheal', exercise: 6, title: 'A deleted myapi pod is replaced (and loses its list)', needs: ['kube'], dependsOn: ['ex6.myapi.deployment'], after: ['ex6.api.replicas'], disruptive: true, run: notYetImplemented },
];
