/** Exercise 2: the greetings repo, the docker-compose file and the images built on the VM. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex2Checks: CheckDef[] = [
  { id: 'ex2.repo.cloned', exercise: 2, title: 'The greetings repository is cloned', needs: ['vm'], dependsOn: ['ex1.vm.reachable'], run: notYetImplemented },
  { id: 'ex2.compose.valid', exercise: 2, title: 'docker-compose.yaml defines app and api', needs: ['vm'], dependsOn: ['ex2.repo.cloned'], run: notYetImplemented },
  { id: 'ex2.compose.ports', exercise: 2, title: 'app publishes port 80 to 8080', needs: ['vm'], dependsOn: ['ex2.compose.valid'], run: notYetImplemented },
  { id: 'ex2.images.built', exercise: 2, title: 'The myapp and myapi images are built', needs: ['vm'], dependsOn: ['ex1.docker.usable'], run: notYetImplemented },
  { id: 'ex2.app.served', exercise: 2, title: 'The app answers on the VM port 80', needs: ['vm', 'http'], dependsOn: ['ex1.vm.reachable'], run: notYetImplemented },
];
