/** Exercise 1: the student's VM (SSH login, Docker installed and usable). */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex1Checks: CheckDef[] = [
  { id: 'ex1.vm.reachable', exercise: 1, title: 'The VM accepts the lab login', needs: ['vm'], dependsOn: [], run: notYetImplemented },
  { id: 'ex1.docker.installed', exercise: 1, title: 'Docker is installed on the VM', needs: ['vm'], dependsOn: ['ex1.vm.reachable'], run: notYetImplemented },
  { id: 'ex1.docker.usable', exercise: 1, title: 'The lab user can use Docker', needs: ['vm'], dependsOn: ['ex1.docker.installed'], run: notYetImplemented },
];
