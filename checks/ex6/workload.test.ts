/** What Exercise 6's checks share: a Deployment's pods (by its selector and, when recorded, its ReplicaSets), the running ones, and how they are named in messages. */
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../core/profile.js';
import { kubeSnapshot } from '../../test/support/kube-check.js';
import { labDeployment, labPod } from '../../test/support/kube-objects.js';
import { fileOf, labelsText, missingMessage, podsLine, podsOf, runningPodsOf } from './workload.js';

const IMAGE = 'labuser07acr.azurecr.io/myapi:v1.0';
const myapi = labDeployment('myapi', IMAGE, { replicas: 3 });
const ownedBy = (rs: string, pod = labPod(`${rs}-x`, 'myapi', IMAGE)) => ({
  ...pod,
  metadata: { ...pod.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: rs, controller: true }] },
});
const replicaSet = (name: string, deployment: string): V1ReplicaSet => ({
  metadata: { name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid: deployment, controller: true }] },
});
const names = (pods: { metadata?: { name?: string } }[]) => pods.map((p) => p.metadata?.name);

describe('podsOf', () => {
  it("lists the pods the Deployment's selector matches, by name", () => {
    const snap = kubeSnapshot({ pods: [labPod('myapi-b', 'myapi', IMAGE), labPod('myapp-a', 'myapp', IMAGE), labPod('myapi-a', 'myapi', IMAGE)] });
    expect(names(podsOf(myapi, snap))).toEqual(['myapi-a', 'myapi-b']);
  });

  it("leaves out a pod of another Deployment's ReplicaSet that carries the same label", () => {
    const snap = kubeSnapshot({
      pods: [ownedBy('myapi-5c6b7'), ownedBy('copy-9f9f9'), labPod('bare', 'myapi', IMAGE)],
      replicaSets: [replicaSet('myapi-5c6b7', 'myapi'), replicaSet('copy-9f9f9', 'copy')],
    });
    expect(names(podsOf(myapi, snap))).toEqual(['bare', 'myapi-5c6b7-x']);
  });
});

describe('runningPodsOf', () => {
  it('keeps the pods that run, not those waiting or being deleted', () => {
    const snap = kubeSnapshot({
      pods: [labPod('myapi-a', 'myapi', IMAGE), labPod('myapi-b', 'myapi', IMAGE, { waiting: { reason: 'CrashLoopBackOff' } }), labPod('myapi-c', 'myapi', IMAGE, { deleting: true })],
    });
    expect(names(runningPodsOf(myapi, snap))).toEqual(['myapi-a']);
  });
});

describe('how messages name them', () => {
  it('podsLine shows the first four pods with their state', () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => labPod(`myapi-${n}`, 'myapi', IMAGE, n === 'b' ? { waiting: { reason: 'ErrImagePull' } } : {}));
    expect(podsLine(pods)).toBe('myapi-a Running, myapi-b ErrImagePull, myapi-c Running, myapi-d Running');
  });

  it('labelsText writes labels as a selector, or none', () => {
    expect(labelsText({ app: 'myapi', tier: 'api' })).toBe('app=myapi,tier=api');
    expect(labelsText({})).toBe('none');
    expect(labelsText(undefined)).toBe('none');
  });

  it("the lab's manifest of a workload, and a missing object", () => {
    expect(fileOf(loadProfile().expect.api)).toBe('myapi.yaml');
    expect(missingMessage('Deployment', 'myapi', 'default')).toBe('Deployment myapi not found in namespace default');
  });
});
