/**
 * The system programs the tests run for real. One shared set-up installs what is missing when it can
 * (root with apt-get), and otherwise fails naming the exact install command: no test skips silently.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface SystemTool {
  /** A path or a command name on PATH. */
  command: string;
  /** Debian package that provides it. */
  aptPackage: string;
}

export const SYSTEM_TOOLS: SystemTool[] = [
  { command: 'docker-registry', aptPackage: 'docker-registry' },
  { command: 'htpasswd', aptPackage: 'apache2-utils' },
  { command: '/usr/sbin/sshd', aptPackage: 'openssh-server' },
  { command: 'chromium', aptPackage: 'chromium' },
  // The machine may already have a kubectl (e.g. google-cloud-cli's); Debian's kubernetes-client otherwise.
  { command: 'kubectl', aptPackage: 'kubernetes-client' },
  { command: 'tmux', aptPackage: 'tmux' },
];

function present(command: string): boolean {
  if (command.startsWith('/')) return existsSync(command);
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function missingTools(): SystemTool[] {
  return SYSTEM_TOOLS.filter((t) => !present(t.command));
}

export function installCommand(tools: SystemTool[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${[...new Set(tools.map((t) => t.aptPackage))].join(' ')}`;
}

export function ensureSystemTools(): void {
  const missing = missingTools();
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = present('apt-get');
  if (!isRoot || !hasApt) {
    throw new Error(`The tests need system programs that are missing: ${missing.map((t) => t.command).join(', ')}. Install them with:\n  sudo ${installCommand(missing)}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('sh', ['-c', installCommand(missing)], { stdio: 'inherit', env });
  const still = missingTools();
  if (still.length) throw new Error(`still missing after apt-get: ${still.map((t) => t.command).join(', ')}`);
}
