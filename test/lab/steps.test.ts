/**
 * Hints name lab steps ("Exercise 5 steps 10–17"): each named step must exist in the lab text students
 * follow, and be about what the hint says. The lab numbers its steps `1.` in every exercise (Markdown
 * counts them), so the Nth item of an exercise is its step N.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { sharedPath } from '../support/shared.js';

/** Each exercise's steps: the text of its numbered items, indented blocks included. */
function labSteps(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let exercise: number | undefined;
  for (const line of text.split('\n')) {
    const heading = /^## Exercise (\d+)/.exec(line);
    if (heading) {
      exercise = Number(heading[1]);
      out.set(exercise, []);
    } else if (/^## /.test(line)) exercise = undefined;
    else if (exercise !== undefined && /^\d+\. /.test(line)) out.get(exercise)!.push(line);
    else if (exercise !== undefined && out.get(exercise)!.length) {
      const steps = out.get(exercise)!;
      steps[steps.length - 1] += `\n${line}`;
    }
  }
  return out;
}

/** What each step a hint names is about: a phrase of its text in the lab. */
const TOPIC: Record<string, string> = {
  '1 4': 'docker --version',
  '2 1': 'git clone',
  '2 3': 'nano',
  '2 4': 'port mapping',
  '2 3–4': 'port mapping',
  '2 6': 'docker-compose up',
  '2 6–7': 'http://<machine address>',
  '2 8': 'Ctrl+C',
  '3 2': 'az aks create',
  '4 2': 'az acr create',
  '4 3–5': 'docker-compose push',
  '4 5': 'docker-compose push',
  '5 3–4': 'az aks get-credentials',
  '5 6': 'replace `<registry name>`',
  '5 6–7': 'kubectl apply -f myapp-pod.yaml',
  '5 9': 'kubectl describe pod myapp',
  '5 10–17': 'Reader',
  '5 18': 'kubectl get pod myapp',
  '6 4–8': 'kubectl apply -f myapp.yaml',
  '6 5': "Leave the value for this as 'http://myapi:8080'",
  '6 5–7': 'http://myapi:8080',
  '6 8': 'kubectl apply -f myapi.yaml',
  '6 8–10': 'kubectl get pods',
  '6 10': 'kubectl get pods',
  '6 14': 'Until the `myapp` service has an external IP',
  '6 15': 'http://<external service IP>',
  '6 16': 'Add a few messages in the app',
  '6 17–20': 'Delete the single pod we have for `myapi`',
  '6 18': 'kubectl get pod --selector app=myapi',
  '6 21': 'Change the number of replicas',
  '7 1': 'tiller',
  '7 2': 'kubectl delete svc myapp',
  '7 3–5': 'helm install',
  '7 5': 'helm install',
};

/** The files under these folders that end so (tests left out). */
function files(dirs: string[], ext: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(ext) && !p.endsWith(`.test${ext}`)) out.push(p);
    }
  };
  dirs.forEach((d) => walk(packagePath(d)));
  return out;
}

describe('lab steps named by hints', () => {
  const steps = labSteps(readFileSync(sharedPath('lab', 'aks-lab.md'), 'utf8'));
  const references = new Map<string, string[]>();
  // The shipped sources, and the saved results the reports' golden files are rendered from.
  for (const file of [...files(['checks', 'app', 'core', 'reporters', 'probes'], '.ts'), ...files(['fixtures/results'], '.json')]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/Exercise (\d) steps? (\d+)(?:–(\d+))?/g)) {
      const key = `${m[1]} ${m[2]}${m[3] ? `–${m[3]}` : ''}`;
      references.set(key, [...(references.get(key) ?? []), file]);
    }
  }

  it('reads the lab: seven exercises, each with its numbered steps', () => {
    expect([...steps.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.get(2)).toHaveLength(8);
    expect(steps.get(5)![9]).toMatch(/id of the cluster's SP/);
  });

  it('every hint that opens with its exercise names the step too', () => {
    // A string that opens `Exercise 6:` (or `Exercise 6,`) is a hint that sends the student to the whole exercise.
    const unnamed = files(['checks'], '.ts').flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/['`"]Exercise \d[:,][^'`"\n]*/g)].map((m) => `${file}: ${m[0]}`));
    expect(unnamed).toEqual([]);
  });

  it('every step a hint names exists and is about what the hint says', () => {
    expect(references.size).toBeGreaterThan(10);
    for (const [key, files] of references) {
      const [exercise, range] = key.split(' ');
      const [from, to = from] = range.split('–').map(Number);
      const list = steps.get(Number(exercise)) ?? [];
      expect(to, `${key} (in ${files.join(', ')}): the exercise has ${list.length} steps`).toBeLessThanOrEqual(list.length);
      expect(TOPIC[key], `${key} (in ${files.join(', ')}) has no topic here: add what the step is about`).toBeDefined();
      expect(list.slice(from - 1, to).join('\n'), `${key} (in ${files.join(', ')})`).toContain(TOPIC[key]);
    }
  });
});
