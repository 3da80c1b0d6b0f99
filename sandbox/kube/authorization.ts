/**
 * Who may do what on the simulated API server, as the authorizer of a real one decides it: each
 * request is a verb on a resource (with its group, subresource and namespace), asked by a user; the
 * answer is allowed, or forbidden with the authorizer's reason (AKS's Azure RBAC webhook adds one).
 * Requests that name no resource (discovery, /version) are for every authenticated user, as the
 * `system:discovery` and `system:public-info-viewer` bindings make them on every cluster.
 */

export interface KubeRequest {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** '' for the core group */
  group: string;
  /** the plural, e.g. `pods` */
  resource: string;
  /** e.g. `proxy` */
  subresource?: string;
  /** undefined at the cluster scope */
  namespace?: string;
  name?: string;
}

export interface KubeDecision {
  allowed: boolean;
  /** said after the RBAC sentence of a 403, as AKS's Azure RBAC webhook does */
  reason?: string;
}

/** `user`: the name the API server knows the caller by (an Entra token's object id). */
export type KubeAuthorizer = (user: string, request: KubeRequest) => KubeDecision;

export const READ_VERBS: ReadonlySet<KubeRequest['verb']> = new Set(['get', 'list', 'watch']);
