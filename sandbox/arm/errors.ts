/** ARM's error envelope and the codes/messages real ARM uses for the cases the sandbox reproduces. */
export interface ArmError {
  status: number;
  body: { error: { code: string; message: string } };
  headers?: Record<string, string>;
}

const err = (status: number, code: string, message: string, headers?: Record<string, string>): ArmError => ({ status, body: { error: { code, message } }, ...(headers ? { headers } : {}) });

export const armErrors = {
  missingAuth: () =>
    err(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {
      'www-authenticate':
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
    }),
  invalidToken: () =>
    err(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
      'www-authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."',
    }),
  wrongAudience: (audience: string, allowed: readonly string[]) =>
    err(
      401,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(',')}.`,
      {
        'www-authenticate':
          'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token has been obtained for wrong audience or resource."',
      },
    ),
  missingApiVersion: () => err(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  subscriptionNotFound: (sub: string) => err(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  resourceGroupNotFound: (rg: string) => err(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  resourceNotFound: (type: string, name: string, rg: string) =>
    err(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`),
  roleDefinitionNotFound: (guid: string) => err(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid}' does not exist.`),
  unsupportedFilter: (filter: string) =>
    err(400, 'UnsupportedQuery', `The filter '${filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.`),
  invalidResourceFilter: (filter: string) => err(400, 'InvalidFilterInQueryString', `Invalid $filter '${filter}' specified in the query string.`),
  // ACR's resource provider refuses listCredentials while the admin user is disabled ("Admin user is disabled." is the message az quotes).
  adminUserDisabled: () => err(400, 'AdminUserDisabled', 'Admin user is disabled.'),
  /** RBAC refused the caller before the resource provider saw the request (the caller's app id, then its object id). */
  authorizationFailed: (caller: { appId: string; objectId: string }, action: string, scope: string) =>
    err(
      403,
      'AuthorizationFailed',
      `The client '${caller.appId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  noRoute: (method: string, path: string) => err(404, 'NotFound', `The sandbox ARM has no route for ${method} ${path}.`),
  throttled: (sub: string) =>
    err(
      429,
      'SubscriptionRequestsThrottled',
      `Number of 'read' requests for subscription '${sub}' actor 'lab-grade' exceeded. Please try again after '1' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
      {
        'retry-after': '1',
        'x-ms-ratelimit-remaining-subscription-reads': '0',
      },
    ),
  internal: (sub: string, trackingId: string) =>
    err(
      500,
      'InternalServerError',
      `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', subscription id '${sub}', tracking id '${trackingId}', request correlation id '${trackingId}'.`,
    ),
};
