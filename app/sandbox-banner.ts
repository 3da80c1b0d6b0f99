/** What `lab-grade sandbox` prints once the simulated lab serves: how to grade it, self-check and reach a cluster. */
import { join, resolve } from 'node:path';
import { plural } from '../reporters/format.js';
import { shellQuote } from './resume-command.js';

export interface SandboxBannerFacts {
  students: number;
  /** The class config it wrote. */
  configFile: string;
  outDir: string;
  /** The student the example commands name (one with a cluster). */
  user: string;
  /** Whether kubectl can use that student's kubeconfig here (not an Entra cluster's kubelogin one). */
  kubectl: boolean;
  /** Scenario files given: they are watched (the built-in class is part of lab-grade, nothing to edit). */
  watched: boolean;
}

export function sandboxBanner(f: SandboxBannerFacts): string {
  const out = resolve(f.outDir);
  return [
    `The simulated lab runs on 127.0.0.1 with ${plural(f.students, 'student')}.`,
    '',
    `Grade it:   lab-grade --config ${shellQuote(f.configFile)}`,
    `Self-check: lab-grade --sandbox ${shellQuote(out)} --user-name ${f.user}   (as a student in Cloud Shell; any student of the class)`,
    ...(f.kubectl ? [`kubectl:    kubectl --kubeconfig ${shellQuote(join(out, 'kubeconfigs', `${f.user}.yaml`))} get pods`] : []),
    ...(f.watched ? ['Scenario files are watched: edit one and the world is derived again.'] : []),
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
