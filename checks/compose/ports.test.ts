import { describe, expect, it } from 'vitest';
import { describePort, parseLongPort, parseShortPort, publishes } from './ports.js';

describe('short port syntax', () => {
  it.each([
    ['80:8080', [{ published: '80', target: 8080, protocol: 'tcp' }]],
    ['"80:8080" as a quoted YAML string', [{ published: '80', target: 8080 }]],
    ['0.0.0.0:80:8080', [{ hostIp: '0.0.0.0', published: '80', target: 8080 }]],
    ['127.0.0.1:80:8080', [{ hostIp: '127.0.0.1', published: '80', target: 8080 }]],
    ['[::1]:80:8080', [{ hostIp: '::1', published: '80', target: 8080 }]],
    ['80:8080/tcp', [{ published: '80', target: 8080, protocol: 'tcp' }]],
    ['80:8080/UDP', [{ published: '80', target: 8080, protocol: 'udp' }]],
    ['3000', [{ target: 3000, protocol: 'tcp' }]],
    ['127.0.0.1::5000', [{ hostIp: '127.0.0.1', target: 5000 }]],
    [
      '8000-8001:8000-8001',
      [
        { published: '8000', target: 8000 },
        { published: '8001', target: 8001 },
      ],
    ],
    [
      '9090-9091:8080-8081',
      [
        { published: '9090', target: 8080 },
        { published: '9091', target: 8081 },
      ],
    ],
    ['79-81:8080', [{ published: '79-81', target: 8080 }]],
    ['3001-3002', [{ target: 3001 }, { target: 3002 }]],
  ])('%s', (spec, expected) => {
    const text = spec.startsWith('"') ? spec.slice(1, spec.indexOf('"', 1)) : spec;
    const got = parseShortPort(text);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toMatchObject(e));
    for (const p of got) if (!('hostIp' in (expected[0] ?? {}))) expect(p.hostIp).toBeUndefined();
  });

  it('takes a YAML number as the container port', () => {
    expect(parseShortPort(3000)).toEqual([{ target: 3000, protocol: 'tcp', mode: 'ingress' }]);
  });

  it.each([
    ['80:8080/http', /invalid protocol "http"/],
    ['8000-8010:80-81', /differ in length/],
    ['80:70000', /invalid container port/],
    ['999.1.1.1:80:8080', /invalid IP address/],
    ['80:', /no container port/],
    ['eighty:8080', /invalid host port/],
  ])('%s is an error', (spec, message) => {
    expect(() => parseShortPort(spec)).toThrow(message);
  });
});

describe('long port syntax', () => {
  it.each([
    [
      { target: 8080, published: 80 },
      { target: 8080, published: '80', protocol: 'tcp', mode: 'ingress' },
    ],
    [
      { target: 8080, published: '80' },
      { target: 8080, published: '80' },
    ],
    [
      { target: '8080', published: '8000-8010', protocol: 'tcp', mode: 'host' },
      { target: 8080, published: '8000-8010', mode: 'host' },
    ],
    [
      { target: 8080, published: '80', host_ip: '0.0.0.0', app_protocol: 'http', name: 'web' },
      { hostIp: '0.0.0.0', appProtocol: 'http', name: 'web' },
    ],
    [{ target: 8080 }, { target: 8080 }],
  ])('%j', (entry, expected) => {
    expect(parseLongPort(entry)).toMatchObject(expected);
  });

  it.each([
    [{ published: 80 }, /needs `target`/],
    [{ target: 8080, published: 80, hostport: 1 }, /unknown key "hostport"/],
    [{ target: 8080, mode: 'bridge' }, /mode must be one of host, ingress/],
    [{ target: 'http' }, /target must be a port number/],
  ])('%j is an error', (entry, message) => {
    expect(() => parseLongPort(entry)).toThrow(message);
  });
});

describe('publishes and describePort', () => {
  it('matches exact ports and host ranges over TCP only', () => {
    expect(publishes(parseShortPort('80:8080')[0], 80, 8080)).toBe(true);
    expect(publishes(parseShortPort('79-81:8080')[0], 80, 8080)).toBe(true);
    expect(publishes(parseShortPort('8080:8080')[0], 80, 8080)).toBe(false);
    expect(publishes(parseShortPort('80:8080/udp')[0], 80, 8080)).toBe(false);
    expect(publishes(parseShortPort('8080')[0], 80, 8080)).toBe(false);
  });

  it('writes a mapping back as a student would', () => {
    expect(['80:8080', '[::1]:80:8080/udp', '127.0.0.1::5000', '3000'].map((s) => describePort(parseShortPort(s)[0]))).toEqual(['80:8080', '[::1]:80:8080/udp', '127.0.0.1::5000', '3000']);
  });
});
