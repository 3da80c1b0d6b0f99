/**
 * One simulated VM in a process of its own (`node vm-child.ts USER PASSWORD`), for tests that must see
 * whether it survives what a client does: an uncaught error ends this process, not the test runner.
 * Prints `{"port":N}` once serving; stops when its stdin closes. Also bundled into one file the way
 * lab-grade is, so a test sees what the shipped `lab-grade sandbox` does.
 */
import { parseScenario } from '../../sandbox/scenario.js';
import { startVm } from '../../sandbox/vm/server.js';

const [user, password] = process.argv.slice(2);
// No top-level await: the bundle compiles each chunk as a CommonJS function body.
void startVm({ scenario: parseScenario({ user, vm: { docker: null, home: { 'notes.txt': 'hello\n' } } }, 'vm-child'), password }).then((vm) => {
  process.stdout.write(`${JSON.stringify({ port: vm.port })}\n`);
  process.stdin.resume().once('end', () => void vm.close());
});
