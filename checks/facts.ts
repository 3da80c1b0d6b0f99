/**
 * The facts checks hand to each other (Chainsaw's explicit bindings): what one check found that others
 * build on, typed, and kept apart from the evidence reports show.
 */
import type { Discovery } from '../probes/azure/choose-cluster.js';
import type { HelmReleaseRecord, ManagedClusterFacts, RegistryFacts } from '../probes/types.js';

declare module '../core/check.js' {
  interface Facts {
    /** The student's cluster, as ex3.cluster.exists chose it among the resource group's. */
    cluster: Discovery<ManagedClusterFacts>;
    /** The student's registry, as ex4.registry.exists chose it among the resource group's. */
    registry: Discovery<RegistryFacts>;
    /** The Helm release of the lab's chart that ex7.helm.release graded. */
    helmRelease: HelmReleaseRecord;
  }
}

export {};
