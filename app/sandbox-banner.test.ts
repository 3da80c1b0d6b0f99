/** What `lab-grade sandbox` prints: commands to paste, and the class counted in words that agree. */
import { describe, expect, it } from 'vitest';
import { sandboxBanner } from './sandbox-banner.js';

describe('the sandbox banner', () => {
  const facts = { configFile: '/tmp/lab out/lab-grade.yaml', outDir: '/tmp/lab out', user: 'labuser05', kubectl: true };

  it('one student is one student; the commands are quoted to paste as printed', () => {
    const lines = sandboxBanner({ ...facts, students: 1, watched: true }).split('\n');
    expect(lines[0]).toBe('The simulated lab runs on 127.0.0.1 with 1 student.');
    expect(lines).toContain("Grade it:   lab-grade --config '/tmp/lab out/lab-grade.yaml'");
    expect(lines).toContain("kubectl:    kubectl --kubeconfig '/tmp/lab out/kubeconfigs/labuser05.yaml' get pods");
    expect(lines).toContain('Scenario files are watched: edit one and the world is derived again.');
  });

  it('no kubectl line when every cluster is Entra-integrated: its kubeconfig runs kubelogin, which signs in at Microsoft', () => {
    const lines = sandboxBanner({ ...facts, students: 1, watched: true, kubectl: false }).split('\n');
    expect(lines.filter((l) => l.startsWith('kubectl:'))).toEqual([]);
    expect(lines).toContain("Self-check: lab-grade --sandbox '/tmp/lab out' --user-name labuser05   (as a student in Cloud Shell; any student of the class)");
  });

  it('the built-in class: its students counted, and no promise to watch files there are none of', () => {
    const text = sandboxBanner({ ...facts, students: 11, watched: false });
    expect(text.split('\n')[0]).toBe('The simulated lab runs on 127.0.0.1 with 11 students.');
    expect(text).not.toContain('watched');
    expect(text.endsWith('Ctrl-C stops everything.\n')).toBe(true);
  });
});
