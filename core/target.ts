/** One student's environment as the class config describes it (templates already expanded). */
import type { Secret } from './secret.js';

export interface VmTarget {
  host: string;
  port: number;
  username: string;
  keyFile?: string;
  password?: Secret;
  /** known_hosts file pinning host keys; absent: trust on first use, recorded in evidence. */
  knownHosts?: string;
}

export interface Target {
  user: string;
  resourceGroup: string;
  subscriptionId?: string;
  /** Remote VM over SSH. */
  vm?: VmTarget;
  /** Grading on the VM itself (--local): the lab user's home folder. */
  localHome?: string;
  /** Self-check: a kubeconfig file and context instead of the Azure-issued one. */
  kubeconfig?: { path: string; context?: string };
}
