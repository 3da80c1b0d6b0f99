import { describe, expect, it } from 'vitest';
import { armEndpoint, armScope } from './arm-endpoint.js';

describe('the ARM endpoint and its token scope', () => {
  it.each([
    [undefined, 'https://management.azure.com', 'https://management.azure.com/.default'],
    ['https://management.usgovcloudapi.net/', 'https://management.usgovcloudapi.net', 'https://management.usgovcloudapi.net/.default'],
    ['https://127.0.0.1:8443//', 'https://127.0.0.1:8443', 'https://127.0.0.1:8443/.default'],
  ])('%s', (configured, endpoint, scope) => {
    expect(armEndpoint(configured)).toBe(endpoint);
    expect(armScope(configured)).toBe(scope);
  });
});
