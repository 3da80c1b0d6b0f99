import { describe, expect, it } from 'vitest';
import { composeFileOrder, normaliseContext } from './files.js';

describe('compose file lookup', () => {
  it("orders the profile's names as Compose looks them up", () => {
    expect(composeFileOrder(['docker-compose.yaml', 'docker-compose.yml', 'compose.yaml', 'compose.yml'])).toEqual(['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml']);
  });

  it.each([
    ['myapp/.', 'myapp'],
    ['./myapp/', 'myapp'],
    ['myapp', 'myapp'],
    ['./x/../myapp', 'myapp'],
    ['.', '.'],
    ['../greetings/myapp', '../greetings/myapp'],
  ])('normalises the build context %s to %s', (given, normal) => {
    expect(normaliseContext(given)).toBe(normal);
  });
});
