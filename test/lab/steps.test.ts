/**
 * Hints name lab steps ("Exercise 5 steps 10–17", or "(step 8)" after "Exercise 6 step 5"): each named
 * step must exist in the lab text students follow, and every step of it be about what the hint says. The
 * lab numbers its steps `1.` in every exercise (Markdown counts them), so the Nth item of an exercise is
 * its step N. docs/lab.md, the project's summary of the lab, numbers the same steps.
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

/** Each exercise's step numbers in docs/lab.md, which may sum several up in one item (`11. – 17.`). */
function summarySteps(text: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let exercise: number | undefined;
  for (const line of text.split('\n')) {
    const heading = /^## Exercise (\d+)/.exec(line);
    if (heading) out.set((exercise = Number(heading[1])), []);
    else if (/^## /.test(line)) exercise = undefined;
    const item = exercise !== undefined && /^(\d+)\.(?: – (\d+)\.)? /.exec(line);
    if (item) for (let n = Number(item[1]); n <= Number(item[2] ?? item[1]); n++) out.get(exercise!)!.push(n);
  }
  return out;
}

/**
 * What the steps a hint names are about: a phrase of the step's text in the lab, or for a range one
 * phrase per step, in order (every step of the range must be one the hint sends the student through).
 */
const TOPIC: Record<string, string | readonly string[]> = {
  '1 4': 'docker --version',
  '2 1': 'git clone',
  '2 3': 'nano',
  '2 4': 'port mapping',
  '2 3–4': ['nano', 'port mapping'],
  '2 6': 'docker-compose up',
  '2 6–7': ['docker-compose up', 'http://<machine address>'],
  '2 8': 'Ctrl+C',
  '3 2': 'az aks create',
  '4 2': 'az acr create',
  '4 3–5': ['Log in to the Docker VM', 'docker login', 'docker-compose push'],
  '4 5': 'docker-compose push',
  '5 3–4': ['az aks get-credentials', 'kubectl get nodes'],
  '5 6': 'replace `<registry name>`',
  '5 7': 'kubectl apply -f myapp-pod.yaml',
  '5 6–7': ['replace `<registry name>`', 'kubectl apply -f myapp-pod.yaml'],
  '5 9': 'kubectl describe pod myapp',
  '5 10–17': ["id of the cluster's SP", 'navigate to your registry', 'Access Control', 'Click **Add**', 'choose **Reader**', 'paste the SP ID', 'AKS SP name', 'Click **Save**'],
  '5 18': 'kubectl get pod myapp',
  '6 4–6': ['locate the image name', 'Explore the config file', 'change the image name'],
  '6 4–8': ['locate the image name', 'Explore the config file', 'change the image name', "Explore the '`myapi.yaml`' file", 'kubectl apply -f myapp.yaml'],
  '6 5': "Leave the value for this as 'http://myapi:8080'",
  '6 5–7': ['http://myapi:8080', 'myapi.yaml', 'http://myapi:8080'],
  '6 8': 'kubectl apply -f myapi.yaml',
  '6 8–10': ['kubectl apply -f myapi.yaml', 'kubectl get', 'kubectl get pods'],
  '6 10': 'kubectl get pods',
  '6 14': 'Until the `myapp` service has an external IP',
  '6 15': 'http://<external service IP>',
  '6 16': 'Add a few messages in the app',
  '6 17–20': ['Delete the single pod we have for `myapi`', 'kubectl get pod --selector app=myapi', 'Add a few new messages', 'how these new messages are represented'],
  '6 18': 'kubectl get pod --selector app=myapi',
  '6 21': 'Change the number of replicas',
  '7 1': 'tiller',
  '7 2': 'kubectl delete svc myapp',
  '7 3–5': ['cd', 'Explore the files', 'helm install'],
  '7 5': 'helm install',
};

/**
 * Every step a text names: `Exercise 6 steps 4–8`, and a bare `step 8` or `(steps 4–6)` read as a step
 * of the exercise named last before it. Keys `6 4–8`; a bare step with no exercise before it keys `? 8`.
 */
function namedSteps(text: string): string[] {
  const keys: string[] = [];
  let exercise = '?';
  for (const m of text.matchAll(/Exercise (\d)(?: steps? (\d+)(?:–(\d+))?)?|\bsteps? (\d+)(?:–(\d+))?/g)) {
    const [from, to] = m[1] === undefined ? [m[4], m[5]] : [m[2], m[3]];
    if (m[1] !== undefined) exercise = m[1];
    if (from !== undefined) keys.push(`${exercise} ${from}${to ? `–${to}` : ''}`);
  }
  return keys;
}

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
    for (const key of namedSteps(readFileSync(file, 'utf8'))) references.set(key, [...(references.get(key) ?? []), file]);
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

  it('reads a bare step as one of the exercise named just before it', () => {
    expect(namedSteps('`Exercise 6 step 5: leave it in myapp.yaml and apply it again (step 8).`')).toEqual(['6 5', '6 8']);
    expect(namedSteps('Exercise 5 steps 10–17, then Exercise 6: set in steps 4–6, applied in step 8')).toEqual(['5 10–17', '6 4–6', '6 8']);
    expect(namedSteps('apply it again (step 8)')).toEqual(['? 8']);
    expect(references.get('6 8')).toContain(packagePath('checks', 'ex6', 'deployments.ts'));
  });

  it('every step a hint names exists and every step of it is about what the hint says', () => {
    expect(references.size).toBeGreaterThan(10);
    for (const [key, files] of references) {
      const where = `${key} (in ${files.join(', ')})`;
      const [exercise, range] = key.split(' ');
      expect(exercise, `${where}: a step with no exercise named before it`).not.toBe('?');
      const [from, to = from] = range.split('–').map(Number);
      const list = steps.get(Number(exercise)) ?? [];
      expect(to, `${where}: the exercise has ${list.length} steps`).toBeLessThanOrEqual(list.length);
      const topic = TOPIC[key];
      expect(topic, `${where} has no topic here: add what the step is about`).toBeDefined();
      const topics = typeof topic === 'string' ? [topic] : topic;
      expect(topics, `${where}: one topic per step of the range`).toHaveLength(to - from + 1);
      topics.forEach((phrase, i) => expect(list[from - 1 + i], `${where}: step ${from + i}`).toContain(phrase));
    }
  });

  it('docs/lab.md numbers the same steps in each exercise as the lab', () => {
    const summary = summarySteps(readFileSync(packagePath('docs', 'lab.md'), 'utf8'));
    const count = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(Object.fromEntries(summary)).toEqual(Object.fromEntries([...steps].map(([exercise, list]) => [exercise, count(list.length)])));
  });
});
