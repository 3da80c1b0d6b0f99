/** The readers on every real object of the shared Kubernetes fixtures (test/support/shared.ts; captured from real API servers). */
import { readFileSync } from 'node:fs';
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { eventLine, eventsFor } from './events.js';
import { allAvailable, byName, mainContainer, replicaStatus } from './deployments.js';
import { imageIdDigest, registryNameOf } from './images.js';
import { isNodeReady, readyNodeNames } from './nodes.js';
import { envValue, isRunning, ownerOf, podStatusText, podsOfDeployment, summarizePod } from './pods.js';
import { diagnosePull, pullCause } from './pull.js';
import { endpointsReadiness, httpUrl, loadBalancerAddress, mapsPort, podsSelectedBy, portsText } from './services.js';
import { isoOf } from './time.js';
import { sharedPath } from '../../test/support/shared.js';

const DIR = sharedPath('fixtures', 'kubernetes') + '/';
const text = (f: string) => readFileSync(DIR + f, 'utf8');
/** YAML with the default (core) schema: timestamps stay strings, as in the API's JSON. */
const yaml = <T>(f: string) => parse(text(f)) as T;
const json = <T>(f: string) => JSON.parse(text(f)) as T;

const runningPod = json<V1Pod>('pod-running.k9s.json');
const runningPodYaml = yaml<V1Pod>('pod-running.gitops-engine.yaml');
const backoffPod = yaml<V1Pod>('pod-imagepullbackoff.gitops-engine.yaml');
const deployment = json<V1Deployment>('deployment.k9s.json');
const replicaSet = json<V1ReplicaSet>('replicaset.k9s.json');
const svcClusterIp = json<V1Service>('service-clusterip.k9s.json');
const svcClusterIpYaml = yaml<V1Service>('service-clusterip.gitops-engine.yaml');
const svcLbIp = JSON.parse(yaml<{ response: string }>('service-loadbalancer-ip.reference-docs.yaml').response) as V1Service;
const svcLbHost = yaml<V1Service>('service-loadbalancer-hostname.gitops-engine.yaml');
const svcLbPending = yaml<V1Service>('service-loadbalancer-pending.gitops-engine.yaml');
const node = json<V1Node>('node.k9s.json');
const event = json<CoreV1Event>('event-pulled.k9s.json');

describe('fixture loading', () => {
  it('keeps YAML timestamps as strings (core schema)', () => {
    expect(typeof runningPodYaml.metadata?.creationTimestamp).toBe('string');
    expect(typeof svcLbHost.metadata?.creationTimestamp).toBe('string');
    expect(isoOf(runningPodYaml.metadata?.creationTimestamp)).toBe('2018-12-02T09:24:46.000Z');
    expect(isoOf(new Date('2018-12-02T09:24:46Z'))).toBe('2018-12-02T09:24:46.000Z');
  });
});

describe('pods', () => {
  it('summarises a running pod (k9s, minikube)', () => {
    const s = summarizePod(runningPod);
    expect(s).toMatchObject({ name: 'nginx', namespace: 'default', phase: 'Running', ready: true, terminating: false });
    expect(s.containers).toEqual([
      { name: 'nginx', image: 'nginx:alpine', digest: 'sha256:482ead44b2203fa32b3390abdaf97cbdc8ad15c07fb03a3e68d7c35a19ad7595', ready: true, restarts: 0, state: 'running' },
    ]);
    expect(isRunning(s)).toBe(true);
    expect(podStatusText(s)).toBe('Running');
  });

  it('summarises a running pod (gitops-engine YAML)', () => {
    const s = summarizePod(runningPodYaml);
    expect(s).toMatchObject({ name: 'my-pod', namespace: 'argocd', phase: 'Running', ready: true, createdAt: '2018-12-02T09:24:46.000Z' });
    expect(s.containers[0]).toMatchObject({ image: 'alpine:latest', state: 'running', digest: 'sha256:621c2f39f8133acb8e64023a94dbdf0d5ca81896102b9e57c0dc184cadaf5528' });
  });

  it('reads an ImagePullBackOff pod: reason, message, not running, no digest', () => {
    const s = summarizePod(backoffPod);
    expect(s).toMatchObject({ phase: 'Pending', ready: false });
    expect(s.containers[0]).toMatchObject({ state: 'waiting', reason: 'ImagePullBackOff', message: 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"' });
    expect(s.containers[0].digest).toBeUndefined();
    expect(isRunning(s)).toBe(false);
    expect(podStatusText(s)).toBe('ImagePullBackOff');
    expect(ownerOf(backoffPod)).toEqual({ kind: 'ReplicaSet', name: 'guestbook-ui-errimagepullbackoff-66cfffb669' });
  });

  it('diagnoses the ImagePullBackOff pod, with the kubelet event when there is one', () => {
    // Without events: only the back-off message, the cause is unknown.
    expect(diagnosePull(backoffPod, [])).toMatchObject({ reason: 'ImagePullBackOff', cause: 'other', image: 'gcr.io/heptio-images/ks-guestbook-demo:0.3' });
    // With the Failed event AKS shows for a registry without the role assignment (message from Azure/AKS#679's form).
    const failed: CoreV1Event = {
      ...event,
      type: 'Warning',
      reason: 'Failed',
      involvedObject: { kind: 'Pod', name: backoffPod.metadata!.name, uid: backoffPod.metadata!.uid, namespace: 'default' },
      message:
        'Failed to pull image "gcr.io/heptio-images/ks-guestbook-demo:0.3": rpc error: code = Unknown desc = Error response from daemon: Get https://gcr.io/v2/heptio-images/ks-guestbook-demo/manifests/0.3: unauthorized: authentication required',
    } as CoreV1Event;
    const d = diagnosePull(backoffPod, [event, failed])!;
    expect(d.cause).toBe('unauthorized');
    expect(d.event).toMatch(/^Warning Failed: Failed to pull image .*unauthorized: authentication required$/);
    expect(diagnosePull(runningPod, [event])).toBeUndefined();
  });

  it('classifies the registry answers the lab meets', () => {
    expect(pullCause('manifest for x.azurecr.io/myapp:v1.0 not found: manifest unknown: manifest tagged by "v1.0" is not found')).toBe('manifest-unknown');
    expect(pullCause('dial tcp: lookup labuser07acr.azurecr.io: no such host')).toBe('no-such-host');
    expect(pullCause('failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized')).toBe('unauthorized');
    expect(pullCause('context deadline exceeded')).toBe('other');
  });
});

describe('deployments and replicasets', () => {
  it('reads the Deployment: replicas, container, env by reference', () => {
    expect(replicaStatus(deployment)).toEqual({ desired: 1, ready: 1, available: 1, updated: 1, problems: [] });
    expect(allAvailable(replicaStatus(deployment))).toBe(true);
    const c = mainContainer(deployment, 'icx-db')!;
    expect(c.image).toBe('postgres:9.2-alpine');
    expect(envValue(c, 'POSTGRES_USER')).toBe('(from a reference)');
    expect(envValue(c, 'API_BASE_URL')).toBeUndefined();
    expect(byName([deployment], 'icx-db')).toBe(deployment);
  });

  it('reads the ReplicaSet and finds the pods of a Deployment through its ReplicaSets', () => {
    expect(replicaStatus(replicaSet)).toMatchObject({ desired: 1, available: 1, ready: 1 });
    expect(ownerOf(replicaSet)).toEqual({ kind: 'Deployment', name: 'icx-db' });
    const pod = {
      ...runningPod,
      metadata: {
        ...runningPod.metadata,
        name: 'icx-db-7d4b578979-abcde',
        labels: { app: 'icx-db', 'pod-template-hash': '7d4b578979' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'icx-db-7d4b578979', uid: 'x', controller: true }],
      },
    } as V1Pod;
    expect(podsOfDeployment(deployment, [pod, runningPod], [replicaSet]).map((p) => p.metadata?.name)).toEqual(['icx-db-7d4b578979-abcde']);
    // A pod with the label but owned by another ReplicaSet is not the Deployment's.
    const stray = { ...pod, metadata: { ...pod.metadata, name: 'stray', ownerReferences: [{ ...pod.metadata!.ownerReferences![0], name: 'other-rs' }] } } as V1Pod;
    expect(podsOfDeployment(deployment, [pod, stray], [replicaSet]).map((p) => p.metadata?.name)).toEqual(['icx-db-7d4b578979-abcde']);
  });
});

describe('services', () => {
  it('reads a ClusterIP Service with a named target port', () => {
    expect(loadBalancerAddress(svcClusterIp)).toEqual({ state: 'not-a-load-balancer', type: 'ClusterIP' });
    expect(portsText(svcClusterIp)).toBe('4001→http/TCP');
    const pod = { metadata: { labels: { app: 'dictionary1' } }, spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] } } as V1Pod;
    expect(mapsPort(svcClusterIp, 4001, 8080, pod)).toBe(true);
    expect(mapsPort(svcClusterIp, 4001, 8080)).toBe(false); // unresolvable without the pod
    expect(podsSelectedBy(svcClusterIp, [pod, runningPod])).toEqual([pod]);
  });

  it('reads the gitops-engine ClusterIP Service', () => {
    expect(loadBalancerAddress(svcClusterIpYaml).state).toBe('not-a-load-balancer');
    expect(mapsPort(svcClusterIpYaml, 8082, 8082)).toBe(true);
    expect(podsSelectedBy(svcClusterIpYaml, [runningPod])).toEqual([]);
  });

  it('reads a LoadBalancer with an IP', () => {
    expect(loadBalancerAddress(svcLbIp)).toEqual({ state: 'assigned', ip: '104.198.186.106', address: '104.198.186.106' });
    expect(mapsPort(svcLbIp, 80, 8080)).toBe(true);
    expect(mapsPort(svcLbIp, 80, 9090)).toBe(false);
    expect(httpUrl('104.198.186.106', 80)).toBe('http://104.198.186.106/');
    expect(httpUrl('2001:db8::1', 8080, '/greeting')).toBe('http://[2001:db8::1]:8080/greeting');
  });

  it('reads a LoadBalancer with a hostname', () => {
    expect(loadBalancerAddress(svcLbHost)).toEqual({ state: 'assigned', hostname: 'abc123.us-west-2.elb.amazonaws.com', address: 'abc123.us-west-2.elb.amazonaws.com' });
    expect(portsText(svcLbHost)).toBe('80→8080/TCP, 443→8080/TCP');
  });

  it('reads a pending LoadBalancer', () => {
    expect(loadBalancerAddress(svcLbPending)).toEqual({ state: 'pending' });
  });

  it('reads endpoints readiness', () => {
    expect(endpointsReadiness(undefined)).toEqual({ ready: [], notReady: [] });
    expect(
      endpointsReadiness({
        subsets: [{ addresses: [{ ip: '10.244.0.5', targetRef: { kind: 'Pod', name: 'myapi-1' } }], notReadyAddresses: [{ ip: '10.244.0.6' }], ports: [{ port: 8080 }] }],
      }),
    ).toEqual({ ready: ['10.244.0.5 (myapi-1)'], notReady: ['10.244.0.6'] });
  });
});

describe('nodes and events', () => {
  it('reads the Node', () => {
    const notReady = { ...node, status: { ...node.status, conditions: node.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c)) } };
    expect(isNodeReady(node)).toBe(true);
    expect(isNodeReady(notReady)).toBe(false);
    expect(isNodeReady({})).toBe(false);
    expect(readyNodeNames([notReady, node, { ...node, metadata: undefined }])).toEqual(['minikube', '?']);
  });

  it('reads the Event and matches it to its pod', () => {
    expect(eventLine(event)).toBe('Normal Pulled: Successfully pulled image "blang/busybox-bash"');
    expect(eventsFor([event], 'Pod', 'hello-1567197780-mn4mv')).toEqual([event]);
    expect(eventsFor([event], 'Pod', 'hello-1567197780-mn4mv', 'another-uid')).toEqual([]);
    expect(eventsFor([event], 'Pod', 'nginx')).toEqual([]);
  });
});

describe('image references', () => {
  it('reads registry names and digests', () => {
    expect(registryNameOf('labuser07acr.azurecr.io', 'azurecr.io')).toBe('labuser07acr');
    expect(registryNameOf('gcr.io', 'azurecr.io')).toBeUndefined();
    expect(imageIdDigest(runningPod.status!.containerStatuses![0].imageID)).toBe('sha256:482ead44b2203fa32b3390abdaf97cbdc8ad15c07fb03a3e68d7c35a19ad7595');
    expect(imageIdDigest('')).toBeUndefined();
  });
});
