/** `lab-grade demo` and `lab-grade sandbox`: the simulated lab, graded or kept running. */
import { watch, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { CHECK_IDS } from '../checks/index.js';
import { loadBuiltInClass, loadScenarios, type Scenario } from '../sandbox/scenario.js';
import { startSandbox, type Sandbox } from '../sandbox/lab.js';
import type { GradeOutcome } from './grading.js';
import { gradeAndReport, type ReportedRequest, type ReportIo } from './report-run.js';
import { plural } from '../reporters/format.js';
import { sandboxBanner } from './sandbox-banner.js';
import { writeSandboxLink } from './selfcheck/sandbox-link.js';

/** The scenario files and folders given, or the built-in class. */
const loadClass = (scenarioPaths: readonly string[]): Scenario[] => (scenarioPaths.length ? loadScenarios([...scenarioPaths], CHECK_IDS) : loadBuiltInClass(CHECK_IDS));

/** Starts the simulated lab, grades its class as a real class is graded, stops everything. */
export async function runDemo(request: ReportedRequest, scenarioPaths: readonly string[], io: ReportIo & { onStarted?(sandbox: Sandbox): void }): Promise<GradeOutcome & { sandbox: Sandbox }> {
  const scenarios = loadClass(scenarioPaths);
  const sandbox = await startSandbox(scenarios);
  // Stopped before the grading has its own handler (or after it): the lab's listeners go with the process,
  // within a second even if one of them does not close.
  const stop = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    setTimeout(() => process.exit(code), 1_000).unref();
    void sandbox.stop().finally(() => process.exit(code));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    io.onStarted?.(sandbox);
    const outcome = await gradeAndReport(sandbox.config, request, io);
    return { ...outcome, sandbox };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await sandbox.stop();
  }
}

/**
 * Writes the sandbox's class config (with its CA, token and password in files beside it) so that
 * `lab-grade --config <out>/lab-grade.yaml` and kubectl can use the running simulated lab, and
 * `selfcheck.json`, so that `lab-grade --sandbox <out> --user-name <user>` checks as a student would.
 */
export function writeSandboxConfig(sandbox: Sandbox, outDir: string): string {
  const dir = resolve(outDir);
  mkdirSync(join(dir, 'kubeconfigs'), { recursive: true });
  const c = sandbox.config;
  writeFileSync(join(dir, 'ca.pem'), sandbox.caPem);
  const sp = c.azure!.servicePrincipal!;
  writeFileSync(join(dir, 'azure-token'), c.azure!.token!.reveal(), { mode: 0o600 });
  writeFileSync(join(dir, 'azure-client-secret'), sp.clientSecret.reveal(), { mode: 0o600 });
  writeFileSync(join(dir, 'vm-password'), c.vm!.password!.reveal(), { mode: 0o600 });
  for (const s of sandbox.scenarios) {
    if (s.azure.clusters.length) writeFileSync(join(dir, 'kubeconfigs', `${s.user}.yaml`), sandbox.kubeconfig(s.user), { mode: 0o600 });
  }
  const file = join(dir, 'lab-grade.yaml');
  const doc = {
    roster: c.roster.map((r) => ({ user: r.user, resourceGroup: r.resourceGroup })),
    // The grader signs in to the simulated directory as a real service principal would: tokens for each audience.
    azure: {
      subscription: c.azure!.subscriptionId,
      endpoint: c.azure!.endpoint,
      graphEndpoint: c.azure!.graphEndpoint,
      credential: 'servicePrincipal',
      tenant: sp.tenantId,
      clientId: sp.clientId,
      clientSecret: { file: 'azure-client-secret' },
      authorityHost: sp.authorityHost,
      requestsPerSecond: c.azure!.requestsPerSecond,
    },
    vm: { host: c.vm!.host, port: c.vm!.port, username: c.vm!.username, password: { file: 'vm-password' } },
    network: { connectTo: c.network.connectTo, loopbackOnly: true },
    tls: { caFile: 'ca.pem' },
    timeouts: Object.fromEntries(Object.entries(c.timeoutsMs).map(([k, v]) => [k, v / 1000])),
  };
  writeFileSync(file, `# Written by lab-grade sandbox: the running simulated lab as a class config.\n${stringify(doc)}`);
  writeSandboxLink(dir, {
    armEndpoint: c.azure!.endpoint,
    subscription: c.azure!.subscriptionId,
    caFile: 'ca.pem',
    // The student signed in to the simulated directory (as its one client, whose rights the scenarios
    // decide): like `az login`, a token for each audience asked, ARM's and an Entra-integrated cluster's.
    login: { authorityHost: sp.authorityHost, tenant: sp.tenantId, clientId: sp.clientId, clientSecretFile: 'azure-client-secret' },
    connectTo: c.network.connectTo,
    students: Object.fromEntries(
      sandbox.scenarios.map((s) => [s.user, { resourceGroup: s.azure.resourceGroup, ...(s.azure.clusters.length ? { kubeconfig: join('kubeconfigs', `${s.user}.yaml`) } : {}) }]),
    ),
  });
  return file;
}

export async function runSandbox(scenarioPaths: readonly string[], outDir: string): Promise<number> {
  let scenarios = loadClass(scenarioPaths);
  const sandbox = await startSandbox(scenarios);
  const file = writeSandboxConfig(sandbox, outDir);
  // Ctrl-C is caught before the lab says it stops everything: a SIGINT sent on reading that line finds the handler.
  const stopRequested = new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  const out = process.stdout;
  // The example student: one whose kubeconfig kubectl can use here (an Entra cluster's runs kubelogin, which signs in at Microsoft).
  const plain = scenarios.find((s) => s.azure.clusters.length && !s.azure.clusters.some((c) => c.entra));
  const first = plain?.user ?? scenarios.find((s) => s.azure.clusters.length)?.user ?? scenarios[0].user;
  // The built-in class is part of lab-grade (inside the one-file bundle there is no file to edit): only given files are watched.
  out.write(sandboxBanner({ students: scenarios.length, configFile: file, outDir, user: first, kubectl: plain !== undefined, watched: scenarioPaths.length > 0 }));
  const watchers = scenarioPaths.map((p) =>
    watch(resolve(p), { recursive: false }, () => {
      try {
        scenarios = loadClass(scenarioPaths);
        sandbox.reload(scenarios);
        out.write(`reloaded ${plural(scenarios.length, 'scenario')}\n`);
      } catch (err) {
        process.stderr.write(`lab-grade sandbox: not reloaded: ${(err as Error).message}\n`);
      }
    }),
  );
  await stopRequested;
  watchers.forEach((w) => w.close());
  await sandbox.stop();
  out.write('stopped\n');
  return 0;
}
