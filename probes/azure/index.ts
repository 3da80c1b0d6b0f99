/** The Azure Resource Manager probe: shared clients per run, one probe per student. */
export { azureProbe, type AzureProbeOptions, type KnownLists } from './probe.js';
export { createAzureClients, PUBLIC_ARM_ENDPOINT, type AzureClientOptions, type AzureClients, type SubscriptionClients } from './clients.js';
export { defaultCredential, servicePrincipalCredential } from './credential.js';
export { armAccessToken, credentialFor, lazyCredential, staticTokenCredential } from './token.js';
export { TokenBucket } from './policies.js';
export { sameResourceId, scopeCovers } from './map.js';
export { BUILTIN_ROLES, roleGuid } from './roles.js';
