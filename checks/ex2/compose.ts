/** Exercise 2 steps 3–4: the compose file, as Compose reads it, defines the lab's services and port mapping. */
import { defineCheck, fail, pass, reasons, type CheckContext, type Reason, type Verdict } from '../../core/check.js';
import type { WorkloadExpectation } from '../../core/profile.js';
import { isLoopback } from '../../probes/addresses.js';
import { normaliseContext } from '../compose/files.js';
import { parseTemplate } from '../compose/interpolate.js';
import { describePort, publishes } from '../compose/ports.js';
import { COMPOSE_LIMITS } from '../compose/read.js';
import { loadCompose, type LoadedCompose } from '../compose/repo.js';
import { excerpt } from '../text.js';
import { incompleteHint } from './repo.js';

/** The variables the lab's compose file is parameterised with (Exercise 2 step 3, Exercise 4). */
const LAB_VARIABLES = { registry: 'REGISTRY', tag: 'TAG' } as const;

const at = (file: string, line?: number, col?: number) => (line ? `${file} line ${line}, column ${col}` : file);

const invalidHint = (file: string, line?: number, col?: number) =>
  `Exercise 2 step 4: fix ${at(file, line, col)}: ${file} must stay valid YAML. Indent with spaces (no tabs), two per level, as in the lab's example; \`docker-compose config\` shows what Compose makes of it.`;
const serviceHint = (file: string) => `Exercise 2 step 3: keep the services, build contexts and images of the ${file} stub as they are (only add the port mapping of step 4).`;
/** Where a value was written, for evidence: the file (the override file when it came from there), its line and column. */
const writtenAt = (dir: string, file: string, line?: number, col?: number) => ({ writtenIn: `~/${dir}/${file}`, line, col });
/** Exercise 2 step 3's image line, where the student wrote another image. */
const imageHint = (where: string, service: string, image: string) =>
  `Exercise 2 step 3: in ${where} give service ${service} the image "${image}" again, as the stub has it: the registry and the tag come from REGISTRY and TAG (set in Exercise 4), not from the file.`;
/** The services a file defines, as a message lists them: the first few, each an excerpt. */
const serviceList = (names: string[]) =>
  names.length
    ? names
        .slice(0, 8)
        .map((n) => excerpt(n, 60))
        .join(', ') + (names.length > 8 ? `, … (${names.length} in all)` : '')
    : 'none';
const missingService = (file: string, names: string[], found: string[]) => `${file} has no service ${names.join(' or ')} (it defines: ${serviceList(found)})`;

/** The reasons both compose checks share the shape of: no compose file, a file too large to read, a file Compose cannot read. */
interface ReadReasons {
  noFile: Reason;
  tooLarge: Reason;
  invalid: Reason;
}

const TOO_LARGE = `the compose file is over ${COMPOSE_LIMITS.maxBytes / 1024} KiB or ${COMPOSE_LIMITS.maxLines} lines`;

/** The lab's compose file is ten lines; one past the size or line bound is not a compose file the lab asked for. */
const tooLargeHint = (dir: string, file: string) =>
  `Exercise 2 step 3: ${file} is the stub's ten lines plus the port mapping of step 4; in ~/${dir} restore it with \`git checkout -- ${file}\` and make that one edit again.`;

/**
 * The compose file as Compose reads it, or the verdict when there is none or it does not parse.
 * `causedBy`: the check whose failure this one follows from (the compose file itself).
 */
async function composeOrVerdict(ctx: CheckContext<'vm'>, R: ReadReasons, causedBy?: string): Promise<{ compose: LoadedCompose; evidence: Record<string, unknown> } | Verdict> {
  const compose = await loadCompose(ctx);
  const dir = ctx.profile.expect.repoDir;
  if (!compose) return fail(R.noFile, `~/${dir} is missing a compose file`, incompleteHint(dir), { outcome: 'needs-fix', causedBy });
  const { file, ignored, result, override, env } = compose;
  const evidence = {
    file: `~/${dir}/${file}`,
    ...(override ? { overrideFile: `~/${dir}/${override}` } : {}),
    ...(Object.keys(env).length ? { envFile: `~/${dir}/.env`, envVariables: Object.keys(env).slice(0, 20) } : {}),
    ...(ignored.length ? { ignoredComposeFiles: ignored } : {}),
  };
  const first = result.errors[0];
  if (first || !result.model) {
    const errors = result.errors.slice(0, 5);
    const where = first?.file ?? file;
    if (first?.limit === 'bytes' || first?.limit === 'lines') {
      return fail(R.tooLarge, `${where}: ${first.message}`, tooLargeHint(dir, where), { evidence: { ...evidence, errors }, outcome: 'needs-fix', causedBy });
    }
    return fail(R.invalid, `${at(where, first?.line, first?.col)}: ${first?.message ?? 'unreadable'}`, invalidHint(where, first?.line, first?.col), {
      evidence: { ...evidence, errors },
      outcome: 'needs-fix',
      causedBy,
    });
  }
  return { compose, evidence };
}

/**
 * `${REGISTRY…}myapp:${TAG…}`: the registry variable, the image name and a colon, the tag variable.
 * `${REGISTRY}/myapp:…` too: a student who exported REGISTRY without its trailing slash writes the slash here.
 */
function imageFollowsLab(template: string | undefined, image: string): boolean {
  if (!template) return false;
  try {
    const segments = parseTemplate(template);
    const [first, middle, last] = segments;
    return (
      segments.length === 3 &&
      first.kind === 'var' &&
      first.name === LAB_VARIABLES.registry &&
      middle.kind === 'text' &&
      (middle.text === `${image}:` || middle.text === `/${image}:`) &&
      last.kind === 'var' &&
      last.name === LAB_VARIABLES.tag
    );
  } catch {
    return false;
  }
}

const labImage = (image: string) => `\${${LAB_VARIABLES.registry}}${image}:\${${LAB_VARIABLES.tag}-latest}`;

const VALID = reasons({
  noFile: ['LG-211', 'no compose file', 'absent'],
  tooLarge: ['LG-216', TOO_LARGE],
  invalid: ['LG-212', 'the compose file does not parse'],
  missingService: ['LG-213', (e) => `the compose file lacks service ${e.app.composeService} or ${e.api.composeService}`],
  wrongBuild: ['LG-214', 'a service builds from another folder'],
  wrongImage: ['LG-215', "a service's image is not the lab's ${REGISTRY}…:${TAG} name"],
});

export const composeValid = defineCheck({
  id: 'ex2.compose.valid',
  exercise: 2,
  passes:
    "the compose file, read as Compose reads it (`.env`, override file), defines `app`/`api` with the lab's build contexts and `${REGISTRY…}myapp:${TAG…}`-style images (`${REGISTRY}/myapp:…` too, for a REGISTRY exported without its slash); a hard-coded registry or tag fails this check only",
  title: (p) => `${p.expect.composeFiles[0] ?? 'The compose file'} defines ${p.expect.app.composeService} and ${p.expect.api.composeService}`,
  points: { points: 1 },
  needs: ['vm'],
  dependsOn: ['ex2.repo.cloned'],
  reasons: VALID,
  async run(ctx) {
    const loaded = await composeOrVerdict(ctx, VALID);
    if (!('compose' in loaded)) return loaded;
    const { compose, evidence } = loaded;
    const services = compose.result.model!.services;
    const wanted = [ctx.profile.expect.app, ctx.profile.expect.api];
    const missing = wanted.map((w) => w.composeService).filter((name) => !services[name]);
    if (missing.length) {
      return fail(VALID.missingService, missingService(compose.file, missing, Object.keys(services)), serviceHint(compose.file), { evidence, outcome: 'needs-fix' });
    }
    const described: Record<string, unknown> = {};
    for (const w of wanted) {
      const s = services[w.composeService];
      described[w.composeService] = { build: s.build?.context, image: s.imageTemplate };
      const context = s.build ? normaliseContext(s.build.context) : undefined;
      if (context !== normaliseContext(w.buildContext)) {
        const found = s.build ? excerpt(s.build.context) : undefined;
        return fail(
          VALID.wrongBuild,
          `${at(s.buildFile ?? s.file ?? compose.file, s.at.build?.line ?? s.at.line, s.at.build?.col ?? s.at.col)}: service ${s.name} builds ${found === undefined ? 'nothing' : `from "${found}"`}; the lab builds it from ${w.buildContext}/`,
          serviceHint(compose.file),
          { evidence: { ...evidence, services: described }, outcome: 'needs-fix', found: found ?? 'none', expected: w.buildContext },
        );
      }
      if (!imageFollowsLab(s.imageTemplate, w.image)) {
        const found = s.imageTemplate === undefined ? undefined : excerpt(s.imageTemplate);
        const where = at(s.imageFile ?? s.file ?? compose.file, s.at.image?.line ?? s.at.line, s.at.image?.col ?? s.at.col);
        return fail(
          VALID.wrongImage,
          `${where}: service ${s.name} has image ${found === undefined ? 'nothing' : `"${found}"`}; the lab names it "${labImage(w.image)}"`,
          imageHint(where, s.name, labImage(w.image)),
          { evidence: { ...evidence, services: described }, outcome: 'needs-fix', found: found ?? 'none', expected: labImage(w.image) },
        );
      }
    }
    return pass(`${compose.file} defines the app and api services with their build contexts and images`, { ...evidence, services: described, unsetVariables: compose.result.unsetVariables });
  },
});

/** The host port the lab publishes the app on (the profile's hostPort, else its servicePort). */
export const hostPortOf = (w: WorkloadExpectation) => w.hostPort ?? w.servicePort;

const PORTS = reasons({
  noFile: ['LG-221', 'no compose file', 'absent'],
  tooLarge: ['LG-227', TOO_LARGE],
  invalid: ['LG-222', 'the compose file does not parse'],
  noService: ['LG-223', (e) => `the compose file has no service ${e.app.composeService}`],
  loopbackOnly: ['LG-224', 'the port is published on the loopback address only'],
  none: ['LG-225', (e) => `service ${e.app.composeService} publishes no ports`, 'absent'],
  wrong: ['LG-226', (e) => `service ${e.app.composeService} publishes another port mapping`],
});

export const composePorts = defineCheck({
  id: 'ex2.compose.ports',
  exercise: 2,
  passes: '`app` publishes host port 80 to 8080, in any valid Compose syntax; needs only the file to parse and to have `app` (without them: blocked by `ex2.compose.valid`)',
  title: (p) => `${p.expect.app.composeService} publishes port ${hostPortOf(p.expect.app)} to ${p.expect.app.containerPort}`,
  points: { points: 2 },
  needs: ['vm'],
  // Graded on its own: a wrong image name costs ex2.compose.valid's point, not these two.
  dependsOn: ['ex2.repo.cloned'],
  after: ['ex2.compose.valid'],
  reasons: PORTS,
  async run(ctx) {
    const loaded = await composeOrVerdict(ctx, PORTS, 'ex2.compose.valid');
    if (!('compose' in loaded)) return loaded;
    const { compose, evidence } = loaded;
    const dir = ctx.profile.expect.repoDir;
    const w = ctx.profile.expect.app;
    const hostPort = hostPortOf(w);
    const wanted = `${hostPort}:${w.containerPort}`;
    const hint = `Exercise 2 step 4: under \`${w.composeService}:\` add\n    ports:\n      - ${wanted}\n(host port first, then the container port the app listens on), save, and run \`docker-compose up\` again.`;
    const services = compose.result.model!.services;
    const service = services[w.composeService];
    if (!service) return fail(PORTS.noService, missingService(compose.file, [w.composeService], Object.keys(services)), hint, { evidence, outcome: 'needs-fix', causedBy: 'ex2.compose.valid' });
    const found = service.ports.map(describePort);
    const portsEvidence = { ...evidence, service: service.name, ports: found };
    const matching = service.ports.filter((p) => publishes(p, hostPort, w.containerPort));
    const reachable = matching.find((p) => !p.hostIp || !isLoopback(p.hostIp));
    if (reachable) {
      return pass(
        `service ${service.name} publishes ${describePort(reachable)} (${at(reachable.file ?? compose.file, reachable.line, reachable.col)})`,
        { ...portsEvidence, ...writtenAt(dir, reachable.file ?? compose.file, reachable.line, reachable.col), written: excerpt(reachable.source) },
        { found: describePort(reachable), expected: wanted },
      );
    }
    if (matching.length) {
      const p = matching[0];
      return fail(
        PORTS.loopbackOnly,
        `${service.name} publishes ${describePort(p)} (${at(p.file ?? compose.file, p.line, p.col)}) on the loopback address only: a browser on your own machine cannot reach it`,
        hint,
        { evidence: { ...portsEvidence, ...writtenAt(dir, p.file ?? compose.file, p.line, p.col) }, outcome: 'needs-fix', found: describePort(p), expected: wanted },
      );
    }
    if (!service.ports.length) {
      return fail(PORTS.none, `service ${service.name} publishes no ports (${at(service.file ?? compose.file, service.at.line, service.at.col)}); Exercise 2 step 4 wants ${wanted}`, hint, {
        evidence: portsEvidence,
        outcome: 'needs-fix',
        found: 'none',
        expected: wanted,
      });
    }
    const first = service.ports[0];
    const distinct = [...new Set(found)];
    return fail(PORTS.wrong, `${service.name} publishes ${distinct.join(', ')} (${at(first.file ?? compose.file, first.line, first.col)}); Exercise 2 step 4 wants ${wanted}`, hint, {
      evidence: { ...portsEvidence, ...writtenAt(dir, first.file ?? compose.file, first.line, first.col) },
      outcome: 'needs-fix',
      found: distinct.join(', '),
      expected: wanted,
    });
  },
});
