/**
 * The greetings clone as Exercise 2's checks read it, on a stand-in VM: which files are there, and the
 * compose file as `docker compose` reads it in that folder (`.env` filling variables, an override file
 * merged over it).
 */
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../core/check.js';
import { loadProfile } from '../../core/profile.js';
import { STUDENT } from '../../test/support/check-run.js';
import { LAB_COMPOSE, labClone, standInVm } from '../../test/support/lab-vm.js';
import { COMPOSE_LIMITS, readCompose, sizeProblem } from './read.js';
import { loadCompose, mergeOverride, repoLayout } from './repo.js';

const profile = loadProfile();
const on = (home: Record<string, string>) => ({ target: STUDENT, profile, probes: { vm: standInVm({ home }) } }) as unknown as CheckContext<'vm'>;
const modelOf = (text: string) => readCompose(Buffer.from(text)).model!;

const PORT_FROM_ENV = LAB_COMPOSE.replace('- 80:8080', '- "${APP_PORT:-8080}:8080"');
const OVERRIDE = `services:
  app:
    image: "\${REGISTRY}myapp:v2"
    ports:
      - 80:8080
      - 443:8443
  db:
    image: postgres:16
`;

describe('repoLayout', () => {
  it('finds the folder, the Dockerfiles, the compose files in Compose’s order, the override and the .env', async () => {
    const home = labClone(undefined, { 'greetings/compose.yaml': LAB_COMPOSE, 'greetings/docker-compose.override.yml': OVERRIDE, 'greetings/.env': 'TAG=v1.0\n' });
    expect(await repoLayout(on(home))).toEqual({
      dir: 'greetings',
      dirKind: 'dir',
      missingDockerfiles: [],
      composeFiles: ['compose.yaml', 'docker-compose.yaml'],
      overrideFile: 'docker-compose.override.yml',
      envFile: true,
    });
  });

  it('says what is missing', async () => {
    expect(await repoLayout(on({ 'greetings/README.md': '# greetings' }))).toEqual({
      dir: 'greetings',
      dirKind: 'dir',
      missingDockerfiles: ['myapp/Dockerfile', 'myapi/Dockerfile'],
      composeFiles: [],
      envFile: false,
    });
    expect((await repoLayout(on({}))).dirKind).toBe('missing');
  });
});

describe('loadCompose', () => {
  it('is undefined without a compose file', async () => {
    expect(await loadCompose(on(labClone(undefined, { 'greetings/docker-compose.yaml': undefined })))).toBeUndefined();
  });

  it('reads the file Compose uses and lists the ones it ignores', async () => {
    const loaded = (await loadCompose(on(labClone(undefined, { 'greetings/compose.yml': LAB_COMPOSE }))))!;
    expect(loaded).toMatchObject({ file: 'compose.yml', ignored: ['docker-compose.yaml'], env: {} });
    expect(loaded.result.errors).toEqual([]);
    expect(loaded.result.model!.services.app).toMatchObject({ file: 'compose.yml', ports: [{ target: 8080, published: '80', file: 'compose.yml' }] });
  });

  it('fills variables from the project’s .env', async () => {
    const loaded = (await loadCompose(on(labClone(PORT_FROM_ENV, { 'greetings/.env': 'APP_PORT=80\n' }))))!;
    expect(loaded.env).toEqual({ APP_PORT: '80' });
    expect(loaded.result.model!.services.app.ports).toMatchObject([{ target: 8080, published: '80' }]);
  });

  it('merges the override file over the base file, each value naming the file it came from', async () => {
    const loaded = (await loadCompose(on(labClone(undefined, { 'greetings/docker-compose.override.yml': OVERRIDE }))))!;
    expect(loaded.override).toBe('docker-compose.override.yml');
    const { app, api, db } = loaded.result.model!.services;
    expect(app).toMatchObject({ imageTemplate: '${REGISTRY}myapp:v2', imageFile: 'docker-compose.override.yml', build: { context: 'myapp/.' }, file: 'docker-compose.yaml' });
    expect(app.ports.map((p) => [p.published, p.target, p.file])).toEqual([
      ['80', 8080, 'docker-compose.yaml'],
      ['443', 8443, 'docker-compose.override.yml'],
    ]);
    expect(api.imageTemplate).toBe('${REGISTRY}myapi:${TAG-latest}');
    expect(db.file).toBe('docker-compose.override.yml');
  });

  it('an override file that does not parse gives its own errors, naming it', async () => {
    const loaded = (await loadCompose(on(labClone(undefined, { 'greetings/compose.override.yaml': 'services:\n\tapp: {}\n' }))))!;
    expect(loaded.result.model).toBeUndefined();
    expect(loaded.result.errors[0].file).toBe('compose.override.yaml');
  });

  it('a compose file over the size bound is refused unparsed, naming the file and the bound', async () => {
    const huge = LAB_COMPOSE + '#'.repeat(COMPOSE_LIMITS.maxBytes);
    const loaded = (await loadCompose(on(labClone(huge))))!;
    // The size on disk is named, not the part read.
    expect(loaded.result).toEqual({ errors: [{ ...sizeProblem(huge.length), file: 'docker-compose.yaml' }], unsetVariables: [] });
  });
});

describe('mergeOverride', () => {
  it('replaces image and build, adds the ports not written already, and adds new services', () => {
    const merged = mergeOverride(modelOf(LAB_COMPOSE), modelOf('services:\n  app:\n    build: web/.\n    ports:\n      - 80:8080\n      - 8080:8080\n  cache:\n    image: redis\n'));
    expect(merged.services.app).toMatchObject({ build: { context: 'web/.' }, imageTemplate: '${REGISTRY}myapp:${TAG-latest}' });
    expect(merged.services.app.ports.map((p) => p.published)).toEqual(['80', '8080']);
    expect(Object.keys(merged.services)).toEqual(['app', 'api', 'cache']);
  });
});
