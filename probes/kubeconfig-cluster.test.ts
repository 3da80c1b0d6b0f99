/** Which cluster an operator's kubeconfig grades: the context given, the current one, or what evidence says instead. */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ManagedClusterFacts } from './types.js';
import { kubeconfigCluster, kubeconfigContexts, type KubeconfigClusterDeps } from './kubeconfig-cluster.js';
import type { StudentCluster, Workloads } from './student-cluster.js';

/** A kubeconfig of contexts named after their clusters, each at `server`. */
const kubeconfig = (servers: Record<string, string>, current?: string) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    ...(current ? { 'current-context': current } : {}),
    clusters: Object.entries(servers).map(([name, server]) => ({ name, cluster: { server } })),
    contexts: Object.keys(servers).map((name) => ({ name, context: { cluster: name, user: `user-${name}` } })),
    users: Object.keys(servers).map((name) => ({ name: `user-${name}`, user: { token: 't' } })),
  });

const aks = (name: string, fqdn?: string): ManagedClusterFacts => ({ id: `/x/managedClusters/${name}`, name, agentPools: [], pullIdentityObjectIds: [], ...(fqdn ? { fqdn } : {}) });
const LAB = { deployments: ['myapp', 'myapi'], images: [] };
const EMPTY = { deployments: [], images: [] };

interface World {
  text: string;
  context?: string;
  /** By context: what its cluster lists, or the error it answers with. */
  apis?: Record<string, Workloads | Error>;
  /** The student's clusters in Azure (an Error: Azure cannot be read); absent: no Azure. */
  clusters?: ManagedClusterFacts[] | Error;
  /** By cluster: the server of the kubeconfig Azure hands out. */
  armServers?: Record<string, string>;
}

function deps(w: World): KubeconfigClusterDeps & { looked: string[]; armKubeconfigs: string[] } {
  const looked: string[] = [];
  const armKubeconfigs: string[] = [];
  const fromAzure = async (): Promise<StudentCluster> => ({
    name: 'aks-mine',
    id: '/x/managedClusters/aks-mine',
    reason: 'the only managed cluster in the resource group',
    candidates: ['aks-mine'],
    kubeconfig: async () => 'arm',
  });
  return {
    looked,
    armKubeconfigs,
    path: '/home/me/.kube/config',
    context: w.context,
    readText: () => w.text,
    workloads: async (context) => {
      looked.push(context);
      const api = w.apis?.[context] ?? EMPTY;
      if (api instanceof Error) throw api;
      return api;
    },
    labDeployments: ['myapp', 'myapi'],
    ...(w.clusters
      ? {
          azure: {
            clusters: async () => {
              if (w.clusters instanceof Error) throw w.clusters;
              return w.clusters!;
            },
            kubeconfigOf: async (name: string) => {
              armKubeconfigs.push(name);
              return kubeconfig({ [name]: w.armServers?.[name] ?? 'https://elsewhere:443' }, name);
            },
            fromAzure,
          },
        }
      : {}),
  };
}

describe('kubeconfigContexts', () => {
  it('lists the contexts whose cluster names a server, and the current one', () => {
    const text = stringify({
      'current-context': 'b',
      clusters: [
        { name: 'ca', cluster: { server: 'https://a:443' } },
        { name: 'cb', cluster: { server: 'https://b:6443' } },
        { name: 'nothing', cluster: {} },
      ],
      contexts: [{ name: 'a', context: { cluster: 'ca' } }, { name: 'b', context: { cluster: 'cb' } }, { name: 'c', context: { cluster: 'nothing' } }, { context: { cluster: 'ca' } }],
    });
    expect(kubeconfigContexts(text)).toEqual({
      current: 'b',
      contexts: [
        { name: 'a', cluster: 'ca', server: 'https://a:443' },
        { name: 'b', cluster: 'cb', server: 'https://b:6443' },
      ],
    });
    expect(kubeconfigContexts('')).toEqual({ contexts: [] });
  });
});

describe('kubeconfigCluster', () => {
  it('a file it cannot read, a context given that is not there, no current context: the probe loads the file and says what is wrong', async () => {
    expect(
      await kubeconfigCluster({
        ...deps({ text: '' }),
        readText: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toBeUndefined();
    expect(await kubeconfigCluster(deps({ text: kubeconfig({ a: 'https://a' }, 'a'), context: 'b' }))).toBeUndefined();
    expect(await kubeconfigCluster(deps({ text: kubeconfig({ a: 'https://a' }) }))).toBeUndefined();
  });

  it('one context: the current one, nothing looked into', async () => {
    const d = deps({ text: kubeconfig({ a: 'https://a' }, 'a') });
    expect(await kubeconfigCluster(d)).toEqual({ name: 'a', reason: 'the current context (a) of the kubeconfig', candidates: ['a'], context: 'a' });
    expect(d.looked).toEqual([]);
  });

  describe('several contexts', () => {
    const text = kubeconfig({ empty: 'https://empty', lab: 'https://lab', other: 'https://other' }, 'empty');

    it("the current one's cluster holds none of the lab's Deployments, another's does: that one, saying so", async () => {
      expect(await kubeconfigCluster(deps({ text, apis: { lab: LAB } }))).toEqual({
        name: 'lab',
        reason: "the current context empty's cluster holds none of the lab's Deployments; context lab's holds them (myapp, myapi)",
        candidates: ['empty', 'lab', 'other'],
        kubeconfigNotice: 'context lab graded instead of the current context empty',
        context: 'lab',
      });
    });

    it("the current one could not be read, another holds the lab's Deployments: that one, saying why", async () => {
      const chosen = await kubeconfigCluster(deps({ text, apis: { empty: new Error('connect ECONNREFUSED'), lab: { deployments: ['myapi'], images: [] } } }));
      expect(chosen).toMatchObject({ context: 'lab', reason: "the current context empty's cluster could not be read (connect ECONNREFUSED); context lab's holds them (myapi)" });
    });

    it("the current one holds the lab's work: it, without looking further", async () => {
      const d = deps({ text, apis: { empty: { deployments: ['myapp'], images: [] }, lab: LAB } });
      expect(await kubeconfigCluster(d)).toMatchObject({ context: 'empty', reason: 'the current context (empty) of the kubeconfig' });
      expect(d.looked).toEqual(['empty']);
    });

    it('nothing, or two alike, elsewhere: the current one', async () => {
      expect(await kubeconfigCluster(deps({ text }))).toMatchObject({ context: 'empty', reason: 'the current context (empty) of the kubeconfig' });
      expect(await kubeconfigCluster(deps({ text, apis: { lab: LAB, other: LAB } }))).toMatchObject({ context: 'empty' });
    });

    it("more than 8 other contexts (a company kubeconfig): none of them dialled, the current one graded, saying how to name the lab's", async () => {
      const many = kubeconfig(Object.fromEntries(['empty', ...Array.from({ length: 9 }, (_, i) => `team${i}`)].map((n) => [n, `https://${n}`])), 'empty');
      const d = deps({ text: many, apis: { team8: LAB } });
      expect(await kubeconfigCluster(d)).toMatchObject({ context: 'empty', kubeconfigNotice: expect.any(String) as unknown, candidates: expect.arrayContaining(['team8']) as unknown });
      expect(d.looked).toEqual(['empty']);
      const eight = kubeconfig(Object.fromEntries(['empty', ...Array.from({ length: 8 }, (_, i) => `team${i}`)].map((n) => [n, `https://${n}`])), 'empty');
      const e = deps({ text: eight, apis: { team7: LAB } });
      expect(await kubeconfigCluster(e)).toMatchObject({ context: 'team7' });
      expect(e.looked).toHaveLength(9);
    });

    it('a context given is graded whatever the others hold', async () => {
      const d = deps({ text, context: 'empty', apis: { lab: LAB } });
      expect(await kubeconfigCluster(d)).toEqual({ name: 'empty', reason: 'the context empty, as given', candidates: ['empty'], context: 'empty' });
      expect(d.looked).toEqual([]);
    });
  });

  describe('with Azure: whose clusters the contexts are', () => {
    const mineFqdn = 'aks-mine-rg-abc123-1a2b3c4d.hcp.westeurope.azmk8s.io';

    it("a current context at one of the student's clusters (its fqdn) is theirs: named as Azure names it, with its resource id, no credentials fetched", async () => {
      const d = deps({ text: kubeconfig({ ctx: `https://${mineFqdn.toUpperCase()}:443` }, 'ctx'), clusters: [aks('aks-mine', mineFqdn)] });
      // The id is where a right the grader lacks in that cluster is granted (LG-016's command).
      expect(await kubeconfigCluster(d)).toEqual({
        name: 'aks-mine',
        id: '/x/managedClusters/aks-mine',
        reason: 'the current context (ctx) of the kubeconfig',
        candidates: ['aks-mine'],
        context: 'ctx',
      });
      expect(d.armKubeconfigs).toEqual([]);
    });

    it('matched by the server of the credentials Azure hands out, when the fqdn does not tell (a private cluster, a stand-in)', async () => {
      const d = deps({ text: kubeconfig({ ctx: 'https://127.0.0.1:40001' }, 'ctx'), clusters: [aks('aks-mine', mineFqdn)], armServers: { 'aks-mine': 'https://127.0.0.1:40001/' } });
      expect(await kubeconfigCluster(d)).toMatchObject({ name: 'aks-mine', id: '/x/managedClusters/aks-mine', context: 'ctx' });
      expect(d.armKubeconfigs).toEqual(['aks-mine']);
    });

    it("another student's cluster: the student's own from Azure, and the evidence says why", async () => {
      const d = deps({ text: kubeconfig({ theirs: 'https://theirs.hcp.westeurope.azmk8s.io:443' }, 'theirs'), clusters: [aks('aks-mine', mineFqdn)] });
      const notice = "the kubeconfig's current context theirs points at theirs.hcp.westeurope.azmk8s.io, none of your clusters (aks-mine): your own cluster aks-mine from Azure is graded instead";
      expect(await kubeconfigCluster(d)).toMatchObject({
        name: 'aks-mine',
        id: '/x/managedClusters/aks-mine',
        reason: `${notice} (the only managed cluster in the resource group)`,
        candidates: ['aks-mine'],
        kubeconfigNotice: notice,
        fromAzure: { name: 'aks-mine' },
      });
      expect(d.looked).toEqual([]);
    });

    it("given, another student's context is graded as given, saying so", async () => {
      const d = deps({ text: kubeconfig({ theirs: 'https://theirs:443' }, 'theirs'), context: 'theirs', clusters: [aks('aks-mine', mineFqdn)] });
      const chosen = await kubeconfigCluster(d);
      expect(chosen).not.toHaveProperty('id'); // not the student's: Azure does not know its id
      expect(chosen).toMatchObject({
        name: 'theirs',
        context: 'theirs',
        kubeconfigNotice: 'the context theirs points at theirs, none of your clusters (aks-mine): graded as given',
      });
    });

    it("only the student's own contexts compete: another student's holding the lab's Deployments is not graded", async () => {
      const text = kubeconfig({ mine: `https://${mineFqdn}`, theirs: 'https://theirs' }, 'mine');
      expect(await kubeconfigCluster(deps({ text, clusters: [aks('aks-mine', mineFqdn)], apis: { theirs: LAB } }))).toMatchObject({
        name: 'aks-mine',
        id: '/x/managedClusters/aks-mine',
        context: 'mine',
        candidates: ['aks-mine'],
      });
    });

    it('Azure that cannot be read, or lists no cluster, cannot tell whose the kubeconfig is: taken as it is', async () => {
      const text = kubeconfig({ theirs: 'https://theirs' }, 'theirs');
      for (const clusters of [new Error('AuthorizationFailed'), []]) {
        expect(await kubeconfigCluster(deps({ text, clusters }))).toEqual({ name: 'theirs', reason: 'the current context (theirs) of the kubeconfig', candidates: ['theirs'], context: 'theirs' });
      }
    });
  });
});
