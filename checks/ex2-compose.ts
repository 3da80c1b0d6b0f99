/** Exercise 2: the greetings repo, the docker-compose file and the images built on the VM. */
import { error, fail, pass, skip, type CheckContext, type CheckDef } from '../core/check.js';
import { errorMessage } from '../core/errors.js';
import type { Verdict } from '../core/model.js';
import type { WorkloadExpectation } from '../core/profile.js';
import { isLoopback } from '../probes/net.js';
import { normaliseContext } from './compose/files.js';
import { parseTemplate } from './compose/interpolate.js';
import { describePort, publishes } from './compose/ports.js';
import type { ComposeService } from './compose/read.js';
import { loadCompose, repoLayout, type LoadedCompose } from './compose/repo.js';
import { excerpt, runOnVm } from './ex1-vm.js';
import { EX2_MESSAGES as M, LAB_VARIABLES, START_PAGE_MARKER } from './ex2-compose.messages.js';

async function repoCloned(ctx: CheckContext): Promise<Verdict> {
  const layout = await repoLayout(ctx);
  const { dockerfiles, composeFiles } = ctx.profile.expect;
  const evidence = { repo: `~/${layout.dir}`, composeFiles: layout.composeFiles, missingDockerfiles: layout.missingDockerfiles };
  if (layout.dirKind !== 'dir') return fail(M.repo.noDir(layout.dir), M.repo.noDirHint(layout.dir), evidence, true);
  const missing = [...layout.missingDockerfiles, ...(layout.composeFiles.length ? [] : [`a compose file (${composeFiles.join(', ')})`])];
  if (missing.length) return fail(M.repo.incomplete(layout.dir, missing), M.repo.incompleteHint(layout.dir), evidence, true);
  return pass(M.repo.pass(layout.dir, layout.composeFiles[0]), { ...evidence, dockerfiles });
}

/** The compose file, or the verdict when there is none or it does not parse. */
async function composeOrVerdict(ctx: CheckContext): Promise<{ compose: LoadedCompose; evidence: Record<string, unknown> } | Verdict> {
  const compose = await loadCompose(ctx);
  const dir = ctx.profile.expect.repoDir;
  if (!compose) return fail(M.repo.incomplete(dir, ['a compose file']), M.repo.incompleteHint(dir), {}, true);
  const { file, ignored, result } = compose;
  const evidence = { file: `~/${dir}/${file}`, ...(ignored.length ? { ignoredComposeFiles: ignored } : {}) };
  const first = result.errors[0];
  if (first || !result.model) {
    const errors = result.errors.slice(0, 5);
    return fail(M.compose.invalid(file, first?.message ?? 'unreadable', first?.line, first?.col), M.compose.invalidHint(file), { ...evidence, errors }, true);
  }
  return { compose, evidence };
}

/** `${REGISTRY…}myapp:${TAG…}`: the registry variable, the image name and a colon, the tag variable. */
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
      middle.text === `${image}:` &&
      last.kind === 'var' &&
      last.name === LAB_VARIABLES.tag
    );
  } catch {
    return false;
  }
}

const labImage = (image: string) => `\${${LAB_VARIABLES.registry}}${image}:\${${LAB_VARIABLES.tag}-latest}`;

async function composeValid(ctx: CheckContext): Promise<Verdict> {
  const loaded = await composeOrVerdict(ctx);
  if (!('compose' in loaded)) return loaded;
  const { compose, evidence } = loaded;
  const services = compose.result.model!.services;
  const { app, api } = ctx.profile.expect;
  const wanted = [app, api];
  const missing = wanted.map((w) => w.composeService).filter((name) => !services[name]);
  if (missing.length) return fail(M.compose.missingService(compose.file, missing, Object.keys(services)), M.compose.serviceHint(compose.file), evidence, true);

  const described: Record<string, unknown> = {};
  for (const w of wanted) {
    const s = services[w.composeService];
    described[w.composeService] = { build: s.build?.context, image: s.imageTemplate };
    const context = s.build ? normaliseContext(s.build.context) : undefined;
    if (context !== normaliseContext(w.buildContext)) {
      return fail(M.compose.wrongBuild(compose.file, s.name, s.build?.context, w.buildContext, s.at.build?.line ?? s.at.line, s.at.build?.col ?? s.at.col), M.compose.serviceHint(compose.file), { ...evidence, services: described }, true);
    }
    if (!imageFollowsLab(s.imageTemplate, w.image)) {
      return fail(M.compose.wrongImage(compose.file, s.name, s.imageTemplate, labImage(w.image), s.at.image?.line ?? s.at.line, s.at.image?.col ?? s.at.col), M.compose.serviceHint(compose.file), { ...evidence, services: described }, true);
    }
  }
  return pass(M.compose.pass(compose.file), { ...evidence, services: described, unsetVariables: compose.result.unsetVariables });
}

/** The host port the lab publishes the app on (the profile's hostPort, else its servicePort). */
const hostPortOf = (w: WorkloadExpectation) => w.hostPort ?? w.servicePort;

async function composePorts(ctx: CheckContext): Promise<Verdict> {
  const loaded = await composeOrVerdict(ctx);
  if (!('compose' in loaded)) return loaded;
  const { compose, evidence } = loaded;
  const w = ctx.profile.expect.app;
  const hostPort = hostPortOf(w);
  const wanted = `${hostPort}:${w.containerPort}`;
  const hint = M.ports.hint(w.composeService, wanted);
  const service: ComposeService | undefined = compose.result.model!.services[w.composeService];
  if (!service) return fail(M.compose.missingService(compose.file, [w.composeService], Object.keys(compose.result.model!.services)), hint, evidence, true);
  const found = service.ports.map(describePort);
  const portsEvidence = { ...evidence, service: service.name, ports: found };
  const matching = service.ports.filter((p) => publishes(p, hostPort, w.containerPort));
  const reachable = matching.find((p) => !p.hostIp || !isLoopback(p.hostIp));
  if (reachable) {
    return pass(M.ports.pass(service.name, describePort(reachable), compose.file, reachable.line, reachable.col), { ...portsEvidence, line: reachable.line, col: reachable.col, written: reachable.source });
  }
  if (matching.length) {
    const p = matching[0];
    return fail(M.ports.loopbackOnly(service.name, describePort(p), compose.file, p.line, p.col), hint, { ...portsEvidence, line: p.line, col: p.col }, true);
  }
  if (!service.ports.length) {
    return fail(M.ports.none(service.name, compose.file, wanted, service.at.line, service.at.col), hint, portsEvidence, true);
  }
  const first = service.ports[0];
  return fail(M.ports.wrong(service.name, [...new Set(found)], compose.file, wanted, first.line, first.col), hint, { ...portsEvidence, line: first.line, col: first.col }, true);
}

/** "reg.azurecr.io/myapp:v1.0" -> "myapp": the repository's last path segment. */
function repositoryName(line: string): string {
  const slash = line.lastIndexOf('/');
  const last = line.slice(slash + 1);
  const colon = last.indexOf(':');
  return colon < 0 ? last : last.slice(0, colon);
}

async function imagesBuilt(ctx: CheckContext): Promise<Verdict> {
  const { result, evidence, killed } = await runOnVm(ctx, 'dockerImages');
  if (killed) return killed;
  // docker.usable passed just before: a failure here is not something the student did.
  if (result.code !== 0) return error(M.images.failed(result.code, excerpt(result.stderr || result.stdout)), evidence);
  const listed = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const { app, api } = ctx.profile.expect;
  const found = [app.image, api.image].map((name) => ({ name, images: listed.filter((l) => repositoryName(l) === name) }));
  const images = found.flatMap((f) => f.images.slice(0, 5));
  const missing = found.filter((f) => f.images.length === 0).map((f) => f.name);
  if (missing.length) return fail(M.images.missing(missing, listed.length), M.images.hint(ctx.profile.expect.repoDir), { command: evidence.command, images, listed: listed.length });
  return pass(M.images.pass(images), { command: evidence.command, images });
}

async function appServed(ctx: CheckContext): Promise<Verdict> {
  const host = ctx.target.vm?.host ?? (ctx.target.localHome ? '127.0.0.1' : undefined);
  if (!host) return skip(M.served.noAddress);
  const port = hostPortOf(ctx.profile.expect.app);
  const url = `http://${host.includes(':') ? `[${host}]` : host}${port === 80 ? '' : `:${port}`}/`;
  const hint = M.served.hint(ctx.profile.expect.repoDir);
  let answer;
  try {
    // One try: nothing is starting behind the VM's port 80 (under --wait the engine polls this check).
    answer = await ctx.probes.http!.get(url, { retry: false });
  } catch (err) {
    // Not serving is the normal state after the exercise: informational, never the grader's error.
    return fail(M.served.notServing(url, errorMessage(err)), hint, { url });
  }
  const evidence = { url, status: answer.status, body: excerpt(answer.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ')) };
  if (answer.status === 200 && answer.body.includes(START_PAGE_MARKER)) return pass(M.served.pass(url), evidence);
  return fail(M.served.notTheApp(url, answer.status), hint, evidence);
}

export const ex2Checks: CheckDef[] = [
  { id: 'ex2.repo.cloned', exercise: 2, title: 'The greetings repository is cloned', needs: ['vm'], dependsOn: ['ex1.vm.reachable'], run: repoCloned },
  { id: 'ex2.compose.valid', exercise: 2, title: 'docker-compose.yaml defines app and api', needs: ['vm'], dependsOn: ['ex2.repo.cloned'], run: composeValid },
  { id: 'ex2.compose.ports', exercise: 2, title: 'app publishes port 80 to 8080', needs: ['vm'], dependsOn: ['ex2.compose.valid'], run: composePorts },
  { id: 'ex2.images.built', exercise: 2, title: 'The myapp and myapi images are built', needs: ['vm'], dependsOn: ['ex1.docker.usable'], run: imagesBuilt },
  { id: 'ex2.app.served', exercise: 2, title: 'The app answers on the VM port 80', needs: ['vm', 'http'], dependsOn: ['ex1.vm.reachable'], run: appServed },
];
