import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { NetworkPolicy, specialRange } from './net.js';
import { recordedPolicy } from '../test/support/net.js';

describe('network policy', () => {
  let port = 0;
  const server = createServer((req, res) => res.end(`host=${req.headers.host}`));
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('maps connectTo before DNS and keeps the public Host header', async () => {
    const policy = new NetworkPolicy({ connectTo: { '203.0.113.7:80': `127.0.0.1:${port}` }, loopbackOnly: true });
    const res = await request('http://203.0.113.7/', { dispatcher: policy.dispatcher() });
    expect(await res.body.text()).toBe('host=203.0.113.7');
  });

  it('refuses anything outside loopback in sandbox mode, before connecting', async () => {
    const policy = recordedPolicy({ loopbackOnly: true });
    await expect(request('http://169.254.169.254/latest/meta-data/', { dispatcher: policy.dispatcher() })).rejects.toThrow(/only reaches 127/);
    expect(policy.refused).toEqual(['169.254.169.254:80 -> 169.254.169.254']);
  });

  it('refuses metadata and private ranges unless the config names the host', () => {
    const policy = new NetworkPolicy({ trustedHosts: ['10.1.2.3'] });
    expect(policy.vet('169.254.169.254', '169.254.169.254')).toMatch(/link-local/);
    expect(policy.vet('192.168.1.10', 'evil.example')).toMatch(/private/);
    expect(policy.vet('10.1.2.3', '10.1.2.3')).toBeUndefined();
    expect(policy.vet('20.50.1.2', 'labuser01.westeurope.cloudapp.azure.com')).toBeUndefined();
    expect(specialRange('fe80::1')).toMatch(/link-local/);
    expect(specialRange('fd00::1')).toBe('private');
  });

  it('rejects a malformed connectTo entry with the key named', () => {
    expect(() => new NetworkPolicy({ connectTo: { nohost: '127.0.0.1:1' } })).toThrow(/network.connectTo key: expected "host:port", got "nohost"/);
  });
});
