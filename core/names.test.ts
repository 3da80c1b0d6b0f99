import { describe, expect, it } from 'vitest';
import { isSimulatedUserName, USER_NAME } from './names.js';

describe('user names', () => {
  it.each([
    ['labuser07', true, true],
    ['lab-user-7', true, true],
    ['a'.repeat(39), true, true],
    ['a'.repeat(40), true, false],
    ['LabUser07', true, false],
    ['lab.user', true, false],
    ['student@school.edu', true, false],
    ['7labuser', true, false],
    ['a'.repeat(64), true, false],
    ['a'.repeat(65), false, false],
    ['-labuser', false, false],
    ['lab user', false, false],
    ['', false, false],
  ])('%s: a roster name %s, a simulated student %s', (name, roster, simulated) => {
    expect(USER_NAME.test(name)).toBe(roster);
    expect(isSimulatedUserName(name)).toBe(simulated);
  });
});
