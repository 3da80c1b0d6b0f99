/** Exercise 4: the container registry and the pushed images. */
import type { CheckDef } from '../core/check.js';
import { notYetImplemented } from './pending.js';

export const ex4Checks: CheckDef[] = [
  { id: 'ex4.registry.exists', exercise: 4, title: 'A Basic container registry exists', needs: ['azure'], dependsOn: [], run: notYetImplemented },
  { id: 'ex4.registry.admin', exercise: 4, title: 'The registry admin user is enabled', needs: ['azure'], dependsOn: ['ex4.registry.exists'], run: notYetImplemented },
  { id: 'ex4.image.myapp', exercise: 4, title: 'myapp:v1.0 is pushed', needs: ['azure', 'registry'], dependsOn: ['ex4.registry.exists'], run: notYetImplemented },
  { id: 'ex4.image.myapi', exercise: 4, title: 'myapi:v1.0 is pushed', needs: ['azure', 'registry'], dependsOn: ['ex4.registry.exists'], run: notYetImplemented },
];
