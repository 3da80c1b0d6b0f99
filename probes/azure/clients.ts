/**
 * The ARM clients of one grading run, shared by every student: one pipeline set per subscription, one
 * rate limit for the whole class, one role-name cache. The endpoint is configurable (public cloud,
 * sovereign clouds, the simulated lab); an extra CA is trusted explicitly.
 */
import type { TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createPipelineFromOptions, createPipelineRequest, type Pipeline, type TlsSettings } from '@azure/core-rest-pipeline';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { armErrorPolicy, attemptTimeoutPolicy, rateLimitPolicy, retryAfterCapPolicy, TokenBucket } from './policies.js';
import { allPages } from './paging.js';
import { RoleNames } from './roles.js';
import { sharedSecureContext, trustedCas } from '../tls.js';
import { armEndpoint, armScope } from '../../core/arm-endpoint.js';

export interface AzureClientOptions {
  credential: TokenCredential;
  /** The run's default subscription. */
  subscriptionId: string;
  /** ARM endpoint; default the public cloud. */
  endpoint?: string;
  /** Extra CA (PEM) to trust besides the system roots. */
  ca?: string | string[];
  /** Class-wide ARM request rate (default 10/s, ARM's read limit per identity is far above). */
  requestsPerSecond?: number;
  /** A bucket to share with other client sets (wins over requestsPerSecond). */
  limiter?: TokenBucket;
  /** Retries of throttled (honouring Retry-After), failed (5xx) and dropped requests. Default 4. */
  maxRetries?: number;
  /** First exponential back-off delay (ms). Default 500. */
  retryDelayMs?: number;
  /** The longest Retry-After the grader honours; longer ones fail at once. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Timeout of one HTTP attempt (ms). Default 20 s. */
  attemptTimeoutMs?: number;
}

export interface SubscriptionClients {
  containerService: ContainerServiceClient;
  containerRegistry: ContainerRegistryManagementClient;
  authorization: AuthorizationManagementClient;
}

export interface AzureClients {
  readonly endpoint: string;
  /**
   * A list ARM answers under `path` (`/subscriptions`, `…/resourcegroups`), every page of it up to a
   * bound, through the same rate limit, retries and error mapping as the SDK clients; `query` adds
   * parameters (`$filter`, `$expand`), `signal` stops paging when the student's grading is over.
   */
  list<T>(path: string, apiVersion: string, opts?: { query?: Record<string, string>; signal?: AbortSignal }): Promise<T[]>;
  readonly credential: TokenCredential;
  readonly defaultSubscriptionId: string;
  readonly bucket: TokenBucket;
  /** Role definition names, cached for the run. */
  readonly roleNames: RoleNames;
  forSubscription(subscriptionId?: string): SubscriptionClients;
}

export function createAzureClients(opts: AzureClientOptions): AzureClients {
  const endpoint = armEndpoint(opts.endpoint);
  const bucket = opts.limiter ?? new TokenBucket(opts.requestsPerSecond ?? 10);
  const ca = trustedCas(opts.ca);
  const common = {
    // One HTTP client (one keep-alive agent) for the three SDK clients: they share connections.
    httpClient: createDefaultHttpClient(),
    endpoint,
    credentials: { scopes: [armScope(endpoint)] },
    credentialScopes: [armScope(endpoint)],
    // The agent passes these to tls.connect: a shared context instead of `ca`, which Node would parse
    // again for every new connection (and the agent would copy into every connection pool key).
    ...(ca ? { tlsOptions: { secureContext: sharedSecureContext(ca) } as TlsSettings } : {}),
    retryOptions: { maxRetries: opts.maxRetries ?? 4, retryDelayInMs: opts.retryDelayMs ?? 500, maxRetryDelayInMs: 8_000 },
    userAgentOptions: { userAgentPrefix: 'lab-grade' },
  };
  const policies = [rateLimitPolicy(bucket), retryAfterCapPolicy(opts.maxRetryAfterMs ?? 30_000), attemptTimeoutPolicy(opts.attemptTimeoutMs ?? 20_000)];
  const instrument = (pipeline: Pipeline) => {
    for (const p of policies) pipeline.addPolicy(p, { afterPhase: 'Retry' });
    pipeline.addPolicy(armErrorPolicy()); // no phase: outside the retry loop, sees the final answer
  };

  let generic: Pipeline | undefined;
  const genericPipeline = () => {
    if (generic) return generic;
    generic = createPipelineFromOptions({ retryOptions: common.retryOptions, userAgentOptions: common.userAgentOptions, ...(common.tlsOptions ? { tlsOptions: common.tlsOptions } : {}) });
    generic.addPolicy(bearerTokenAuthenticationPolicy({ credential: opts.credential, scopes: armScope(endpoint) }));
    instrument(generic);
    return generic;
  };

  const bySubscription = new Map<string, SubscriptionClients>();
  const clients: AzureClients = {
    endpoint,
    list<T>(path: string, apiVersion: string, { query = {}, signal }: { query?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T[]> {
      async function* pages(): AsyncGenerator<T[] & { continuationToken?: string }> {
        let url: string | undefined = `${endpoint}${path}?${new URLSearchParams({ 'api-version': apiVersion, ...query }).toString()}`;
        while (url) {
          const response = await genericPipeline().sendRequest(common.httpClient, createPipelineRequest({ url, method: 'GET', abortSignal: signal }));
          const body = JSON.parse(response.bodyAsText ?? '{}') as { value?: T[]; nextLink?: string };
          yield Object.assign(body.value ?? [], { continuationToken: body.nextLink });
          url = body.nextLink;
        }
      }
      return allPages(pages(), { endpoint, what: path, signal });
    },
    credential: opts.credential,
    defaultSubscriptionId: opts.subscriptionId,
    bucket,
    roleNames: new RoleNames(),
    forSubscription(subscriptionId = opts.subscriptionId) {
      let set = bySubscription.get(subscriptionId);
      if (!set) {
        set = {
          containerService: new ContainerServiceClient(opts.credential, subscriptionId, common),
          containerRegistry: new ContainerRegistryManagementClient(opts.credential, subscriptionId, common),
          // The autorest-style client builds URLs from `$host` as well as `endpoint`.
          authorization: new AuthorizationManagementClient(opts.credential, subscriptionId, { ...common, $host: endpoint }),
        };
        for (const c of Object.values(set)) instrument((c as { pipeline: Pipeline }).pipeline);
        bySubscription.set(subscriptionId, set);
      }
      return set;
    },
  };
  return clients;
}
