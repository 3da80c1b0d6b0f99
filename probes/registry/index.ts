/** The registry data-plane probe (Docker Registry v2 API, ACR's token flows). */
export { registryProbe, MANIFEST_ACCEPT, type ClosableRegistryProbe, type RegistryProbeOptions } from './probe.js';
export { AUTH_MODE_TEXT, type AuthMode, type Credentials } from './auth.js';
export { adminCredentialsFrom, registryFactsFrom } from './credentials.js';
