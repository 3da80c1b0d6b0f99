/** The Azure Resource Manager probe: shared clients per run, one probe per student. */
export { azureProbe, type AzureProbeOptions, type KnownLists } from './probe.js';
export { createAzureClients, PUBLIC_ARM_ENDPOINT, type AzureClientOptions, type AzureClients, type SubscriptionClients } from './clients.js';
export { armAccessToken, credentialFor, defaultCredential, servicePrincipalCredential, staticTokenCredential } from './credential.js';
export { TokenBucket } from './policies.js';
export { sameResourceId, scopeCovers } from './map.js';
export { BUILTIN_ROLES, roleGuid } from './roles.js';
