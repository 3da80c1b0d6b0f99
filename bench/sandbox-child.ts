/**
 * The simulated lab in a process of its own, for the benchmark: the servers' CPU (TLS, SSH, the bash
 * behind every `docker` command) does not count as the grader's, and the grader's memory is measured
 * alone. It writes the class config as `lab-grade sandbox` does, then answers the parent over IPC.
 * argv: <scenario folder> <output folder>
 */
import { CHECK_IDS } from '../checks/index.js';
import { writeSandboxConfig } from '../app/demo.js';
import { startSandbox } from '../sandbox/lab.js';
import { loadScenarios } from '../sandbox/scenario.js';
import type { ChildMessage, ParentMessage } from './lab-process.js';

const [scenarioDir, outDir] = process.argv.slice(2);
const send = (m: ChildMessage) => process.send!(m);
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const sandbox = await startSandbox(loadScenarios([scenarioDir], CHECK_IDS));
const configFile = writeSandboxConfig(sandbox, outDir);

process.on('message', (m: ParentMessage) => {
  if (m.type === 'traffic') {
    send({
      type: 'traffic',
      byUser: Object.fromEntries(sandbox.scenarios.map((s) => [s.user, sandbox.traffic(s.user)])),
      armTls: sandbox.arm.tlsConnections,
      registryTls: sandbox.registry.tlsConnections,
      cpuMs: cpuMs(),
    });
  } else if (m.type === 'stop') {
    void sandbox.stop().then(() => process.exit(0));
  }
});
// The parent went away: do not linger with open ports.
process.on('disconnect', () => void sandbox.stop().then(() => process.exit(0)));
send({ type: 'ready', configFile, users: sandbox.scenarios.map((s) => s.user) });
