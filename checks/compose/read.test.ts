import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readCompose } from './read.js';
import { sharedPath } from '../../test/support/shared.js';
import { yamlWorkOf } from '../../test/support/yaml-work.js';

vi.mock('yaml', async (original) => (await import('../../test/support/yaml-work.js')).countingYaml(await original()));

const FIXTURES = sharedPath('fixtures', 'compose');
const UPSTREAM = sharedPath('fixtures', 'upstream-greetings');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

/** Services each real file defines (counted by hand from the files). */
const SERVICES: Record<string, string[]> = {
  'awesome-compose.elasticsearch-logstash-kibana.compose.yaml': ['elasticsearch', 'logstash', 'kibana'],
  'awesome-compose.pihole-cloudflared-DoH.compose.yaml': ['cloudflared', 'pihole'],
  'awesome-compose.react-express-mysql.compose.yaml': ['backend', 'db', 'frontend'],
  'awesome-compose.wireguard.compose.yaml': ['wireguard'],
  'container-training.stacks.dockercoins.yml': ['rng', 'hasher', 'webui', 'redis', 'worker'],
  'docker-cli.full-example.yml': ['foo'],
  'docker-cli.full-example.normalized-long-syntax.yaml': ['foo'],
  'eShopOnContainers.docker-compose.yml': [],
  'eShopOnContainers.docker-compose.override.yml': [],
  'full-stack-fastapi-template.docker-compose.yml': ['db', 'adminer', 'prestart', 'backend', 'frontend'],
  'jitsi.docker-compose.yml': ['web', 'prosody', 'jicofo', 'jvb'],
};
/** What the fastapi template requires to be set (it uses `${VAR?Variable not set}`). */
const FASTAPI_ENV = { DOCKER_IMAGE_BACKEND: 'backend', DOCKER_IMAGE_FRONTEND: 'frontend', DOMAIN: 'example.com' };

describe('readCompose on real compose files', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.ya?ml$/.test(f));

  it('covers every fixture file', () => {
    expect(files.sort()).toEqual(Object.keys(SERVICES).sort());
  });

  it.each(files)('%s parses without errors and its services are found', (file) => {
    const r = readCompose(fixture(file), { env: file.startsWith('full-stack-fastapi') ? FASTAPI_ENV : {} });
    expect(r.errors).toEqual([]);
    const names = Object.keys(r.model!.services);
    if (SERVICES[file].length) expect(names).toEqual(SERVICES[file]);
    else expect(names.length).toBeGreaterThan(15);
  });

  it('normalises the short ports of docker/cli full-example.yml to what docker/cli itself normalised', () => {
    const short = readCompose(fixture('docker-cli.full-example.yml')).model!.services.foo.ports;
    const long = readCompose(fixture('docker-cli.full-example.normalized-long-syntax.yaml')).model!.services.foo.ports;
    // docker/cli's v3 long syntax has no host_ip: it dropped 127.0.0.1, so compare without it.
    const shape = (p: { target: number; published?: string; protocol: string; mode?: string }) => ({ target: p.target, published: p.published, protocol: p.protocol, mode: p.mode });
    expect(long.length).toBe(22);
    expect(short.map(shape)).toEqual(long.map(shape));
    expect(short.find((p) => p.target === 8001)).toMatchObject({ hostIp: '127.0.0.1', published: '8001', line: 226, col: 9, source: '127.0.0.1:8001:8001' });
  });

  it('resolves the interpolated forms real files use', () => {
    const coins = readCompose(fixture('container-training.stacks.dockercoins.yml')).model!.services;
    expect(coins.rng.image).toBe('127.0.0.1:5000/rng:latest');
    expect(coins.rng.build).toEqual({ context: 'dockercoins/rng' });
    const coinsSet = readCompose(fixture('container-training.stacks.dockercoins.yml'), { env: { REGISTRY: 'reg.example', TAG: 'v2' } }).model!.services;
    expect(coinsSet.rng.image).toBe('reg.example/rng:v2');

    const jitsi = readCompose(fixture('jitsi.docker-compose.yml'));
    expect(jitsi.model!.services.web.image).toBe('ghcr.io/jitsi/web:unstable');
    expect(jitsi.model!.services.jvb.ports.map((p) => [p.hostIp, p.published, p.target, p.protocol])).toEqual([
      [undefined, '10000', 10000, 'udp'],
      ['127.0.0.1', '8080', 8080, 'tcp'],
    ]);
    expect(jitsi.unsetVariables).toEqual(expect.arrayContaining(['HTTP_PORT', 'HTTPS_PORT']));

    const eshop = readCompose(fixture('eShopOnContainers.docker-compose.yml')).model!.services;
    expect(eshop['catalog-api'].image).toBe('eshop/catalog.api:linux-latest');
    expect(eshop['catalog-api'].build).toEqual({ context: '.' });
  });

  it('reports a required variable that is not set, with its position', () => {
    const r = readCompose(fixture('full-stack-fastapi-template.docker-compose.yml'));
    expect(r.errors[0]).toEqual({ message: 'required variable DOCKER_IMAGE_BACKEND is missing a value: Variable not set', line: 46, col: 12 });
  });
});

describe('readCompose on the lab repository', () => {
  const stub = readFileSync(join(UPSTREAM, 'docker-compose.yaml'), 'utf8');

  it('reads the stub: app and api with build contexts and parameterised images, no ports', () => {
    const r = readCompose(stub);
    expect(r.errors).toEqual([]);
    expect(r.model!.version).toBe('3');
    const { app, api } = r.model!.services;
    expect(app).toMatchObject({ imageTemplate: '${REGISTRY}myapp:${TAG-latest}', image: 'myapp:latest', build: { context: 'myapp/.' }, ports: [] });
    expect(api).toMatchObject({ imageTemplate: '${REGISTRY}myapi:${TAG-latest}', image: 'myapi:latest', build: { context: 'myapi/.' }, ports: [] });
    expect(app.at.image).toEqual({ line: 5, col: 12 });
  });

  it("reads the stub with the lab's edit (Exercise 2 step 4)", () => {
    const edited = stub.replace('    image: "${REGISTRY}myapp:${TAG-latest}"', '    image: "${REGISTRY}myapp:${TAG-latest}"\n    ports:\n      - 80:8080');
    const { app } = readCompose(edited).model!.services;
    expect(app.ports).toEqual([{ target: 8080, published: '80', protocol: 'tcp', mode: 'ingress', line: 7, col: 9, source: '80:8080' }]);
  });

  it('reads the database variant: app publishes 8080:8080', () => {
    const r = readCompose(readFileSync(join(UPSTREAM, 'docker-compose.db.yaml')));
    expect(Object.keys(r.model!.services)).toEqual(['app', 'api', 'db']);
    expect(r.model!.services.app.ports).toMatchObject([{ published: '8080', target: 8080, line: 7, col: 9 }]);
  });

  it.each([
    ['a merge key', 'x-base: &base\n  build: myapp\nservices:\n  app:\n    <<: *base\n    ports: ["80:8080"]\n', { context: 'myapp' }],
    ['build as a mapping', 'services:\n  app:\n    build:\n      context: ./myapp\n      dockerfile: Dockerfile\n', { context: './myapp' }],
    ['build with a variable', 'services:\n  app:\n    build: ${CTX:-myapp}\n', { context: 'myapp' }],
  ])('reads build from %s', (_what, text, build) => {
    const r = readCompose(text);
    expect(r.errors).toEqual([]);
    expect(r.model!.services.app.build).toEqual(build);
  });

  it('reads long syntax with published as a string, and variables with defaults in ports', () => {
    const r = readCompose('services:\n  app:\n    ports:\n      - target: 8080\n        published: "80"\n      - "${WEB_PORT:-81}:${APP_PORT-8081}"\n');
    expect(r.model!.services.app.ports.map((p) => [p.published, p.target, p.line, p.col])).toEqual([
      ['80', 8080, 4, 9],
      ['81', 8081, 6, 9],
    ]);
  });
});

describe('readCompose on broken and hostile input', () => {
  it.each([
    ['a misaligned key', 'services:\n  app:\n    ports:\n    - 80:8080\n   image: y\n', { line: 5, col: 1 }, /must start at the same column/],
    ['a key indented into a value', "version: '3'\nservices:\n  app:\n    build: myapp/.\n     image: x\n", { line: 4, col: 12 }, /compact mappings/],
    ['a tab as indentation', 'services:\n  app:\n\tbuild: myapp\n', { line: 3, col: 1 }, /tab/i],
  ])('gives a YAML syntax error with line and column: %s', (_what, text, position, message) => {
    const r = readCompose(text);
    expect(r.model).toBeUndefined();
    expect(r.errors[0]).toMatchObject(position);
    expect(r.errors[0].message).toMatch(message);
  });

  it('reports a duplicate key, a bad port and a bad service with positions', () => {
    expect(readCompose('services:\n  app:\n    image: a\n    image: b\n').errors[0]).toMatchObject({ line: 4, col: 5 });
    const r = readCompose('services:\n  app:\n    ports:\n      - "80:8080/http"\n  api: just-a-string\n');
    expect(r.errors).toEqual([
      { message: 'service app: invalid protocol "http" (expected tcp, udp, sctp)', line: 4, col: 9 },
      { message: 'service api must be a mapping', line: 5, col: 8 },
    ]);
  });

  // Per file: what is refused, and how many documents are built before the refusal (only the alias
  // bomb's, a few lines, is built: its aliases are counted as it is expanded).
  it.each([
    ['a 50 MB file', () => Buffer.alloc(50 * 1024 * 1024, 'a: b\n'), /50 MB|52428800 bytes, more than/, 0],
    ['a binary file', () => Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]), /not text/, 0],
    ['a file with a NUL byte', () => Buffer.from('services:\n  app:\0\n'), /not text \(a NUL byte/, 0],
    ['deeply nested flow', () => '['.repeat(10_000) + ']'.repeat(10_000), /deeper than 64 levels/, 0],
    ['deeply nested block lists', () => 'services:\n' + '- '.repeat(10_000) + 'x\n', /deeper than 64 levels/, 0],
    [
      'an alias bomb',
      () =>
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nservices: *g\n',
      /too many aliases/,
      1,
    ],
  ])('%s is a bounded failure', (_what, make, message, documentsBuilt) => {
    const input = make();
    const t0 = performance.now();
    const { result, documents } = yamlWorkOf(() => readCompose(input));
    expect(result.model).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message).toMatch(message);
    expect(documents).toBe(documentsBuilt);
    // Only against a hang: the counts above are the bound.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('is not a YAML mapping, or has no services', () => {
    expect(readCompose('- just\n- a list\n').errors[0].message).toMatch(/not a YAML mapping/);
    expect(readCompose("version: '3'\n").errors[0].message).toMatch(/no `services:` section/);
  });
});
