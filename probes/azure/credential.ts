/**
 * The credentials of @azure/identity (loaded only when a class config or a self-check signs in with
 * one: probes/azure/token.ts `credentialFor` imports this module on the first token asked for).
 * - `defaultCredential` is the only place a DefaultAzureCredential is made: it may probe the cloud
 *   metadata address (managed identity), so only the CLI calls it, never a test.
 * - `servicePrincipalCredential` signs in with a client secret at the configured authority (a
 *   sovereign cloud's, or the simulated lab's directory), trusting the config's extra CA.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential, type DefaultAzureCredentialOptions } from '@azure/identity';
import type { AzureSettings } from '../../core/config.js';

export function defaultCredential(options: DefaultAzureCredentialOptions = {}): TokenCredential {
  return new DefaultAzureCredential(options);
}

export function servicePrincipalCredential(sp: NonNullable<AzureSettings['servicePrincipal']>, caPem?: string): TokenCredential {
  return new ClientSecretCredential(sp.tenantId, sp.clientId, sp.clientSecret.reveal(), {
    authorityHost: sp.authorityHost,
    // instance discovery asks login.microsoftonline.com about the authority: not for a configured one
    disableInstanceDiscovery: sp.authorityHost !== 'https://login.microsoftonline.com',
    ...(caPem ? { tlsOptions: { ca: caPem } } : {}),
  });
}
