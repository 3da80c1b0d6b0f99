/**
 * A course's variant of the lab (`extends: builtin` with everything named otherwise): other images,
 * Deployments, Services, pod, chart, clone folder, tag and replicas. Tests grade with it to show that
 * titles, messages and hints follow the profile, never the built-in lab's names. Only the profile is
 * loaded (not the check catalogue), so a check module's unit tests may use it.
 */
import { loadProfile, type LabProfile } from '../../core/profile.js';

/** The built-in lab's names that a variant's messages and hints must not show. */
export const BUILTIN_NAMES = /myapp|myapi|v1\.0|greetings\/k8s|install greetings/;

export function variantProfile(): LabProfile {
  const builtin = loadProfile();
  const lab = builtin.expect;
  return {
    ...builtin,
    expect: {
      ...lab,
      repoDir: 'shop',
      tag: 'v2.1',
      podName: 'shopfront',
      app: { ...lab.app, deployment: 'frontend', image: 'web', service: 'storefront', replicas: 2, env: { API_BASE_URL: 'http://backend:9000', MODE: 'lab' } },
      api: { ...lab.api, deployment: 'backend', image: 'svc', service: 'orders', env: { GREETING: 'hi' } },
      helm: { ...lab.helm, chart: 'shop' },
    },
  };
}
