/** Which Azure Resource Manager the grader talks to: the class config's `azure.endpoint`, the public cloud's by default. */

const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';

/** An ARM endpoint as every caller uses it: the public one when none is named, without a trailing slash. */
export const armEndpoint = (endpoint?: string): string => (endpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, '');

/** The token scope for an ARM endpoint: ARM's token audience is its endpoint (management.azure.com, management.usgovcloudapi.net, …). */
export const armScope = (endpoint?: string): string => `${armEndpoint(endpoint)}/.default`;
