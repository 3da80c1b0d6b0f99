/**
 * ACR admin credentials, derived (not stored) so that the fake ARM's `listCredentials` and the registry
 * stand-in agree without sharing state: username = registry name (as real ACR does), two passwords
 * that look random but are an HMAC of a per-run secret. A new process gets new passwords, so nothing
 * a test or demo prints is a credential that works anywhere else.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Per process: both servers of one sandbox run in the same process. */
const RUN_SECRET = randomBytes(32).toString('hex');

export interface AdminCredentials {
  username: string;
  passwords: [string, string];
}

/** Real ACR login servers are the registry name in lower case under azurecr.io. */
export const loginServer = (registryName: string): string => `${registryName.toLowerCase()}.azurecr.io`;

function derive(secret: string, registryName: string, which: string): string {
  // 32 characters of base64, like the classic ACR admin passwords (may contain "+" and "/": clients must encode Basic auth properly).
  return createHmac('sha256', secret).update(`${registryName.toLowerCase()}\0${which}`).digest('base64').slice(0, 32);
}

export function adminCredentials(registryName: string, secret: string = RUN_SECRET): AdminCredentials {
  return { username: registryName, passwords: [derive(secret, registryName, 'password'), derive(secret, registryName, 'password2')] };
}

/** The key the registry stand-in signs its tokens with: per run, like the passwords. */
export const tokenKey = (secret: string = RUN_SECRET): Buffer => createHmac('sha256', secret).update('acr-token-signing').digest();
