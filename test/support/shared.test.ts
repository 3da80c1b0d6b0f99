/**
 * The shared material is found beside the repository or where LAB_GRADE_SHARED points, and nowhere
 * else: a fixed path of one machine would let a clone without it read another clone's copy.
 */
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../core/paths.js';
import { sharedCandidates } from './shared.js';

describe('the shared material', () => {
  it('is looked for where LAB_GRADE_SHARED points, then beside the repository, and only there', () => {
    expect(sharedCandidates({ LAB_GRADE_SHARED: '/srv/lab-shared' })).toEqual(['/srv/lab-shared', packagePath('..', 'shared')]);
    expect(sharedCandidates({})).toEqual([packagePath('..', 'shared')]);
  });
});
