import { describe, expect, it } from 'vitest';
import { describePort, parseLongPort, parseShortPort, publishes } from './ports.js';
import { thrown } from '../../test/support/thrown.js';

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
    ['80:8080/http', 'invalid protocol "http" (expected tcp, udp, sctp)'],
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

describe('port numbers and ranges at their bounds', () => {
  it.each([
    ['65535:8080', { published: '65535', target: 8080 }],
    ['8000-65535:8080', { published: '8000-65535', target: 8080 }],
    ['80:8080/', { published: '80', target: 8080, protocol: 'tcp' }],
    ['  80:8080  ', { published: '80', target: 8080 }],
  ])('%j is accepted', (spec, expected) => {
    expect(parseShortPort(spec)).toEqual([{ protocol: 'tcp', mode: 'ingress', ...expected }]);
  });

  it.each([
    ['a80:8080', '"a80"'],
    ['80a:8080', '"80a"'],
    ['65536:8080', '"65536"'],
    ['8000-70000:8080', '"8000-70000"'],
    ['8010-8000:8080', '"8010-8000"'],
  ])('%s is an invalid host port', (spec, named) => {
    expect(thrown(() => parseShortPort(spec))).toEqual({ name: 'PortSyntaxError', message: `invalid host port: ${named}` });
  });

  it('keeps no key for what the spec leaves out', () => {
    expect(parseShortPort('3000')).toStrictEqual([{ target: 3000, protocol: 'tcp', mode: 'ingress' }]);
    expect(parseLongPort({ target: 8080 })).toStrictEqual({ target: 8080, protocol: 'tcp', mode: 'ingress' });
  });

  it.each(['[::1:80:8080', '1::1]:80:8080'])('takes the brackets of %s off only when they enclose the IP', (spec) => {
    const ip = spec.slice(0, spec.lastIndexOf(':80:'));
    expect(thrown(() => parseShortPort(spec)).message).toContain(JSON.stringify(ip));
  });
});

describe('long port syntax values', () => {
  it.each([
    [{ target: ' 8080 ' }, { target: 8080 }],
    [{ target: 1 }, { target: 1 }],
    [{ target: 65535 }, { target: 65535 }],
    [{ target: 8080, published: null, host_ip: null }, { target: 8080 }],
    [
      { target: 8080, protocol: 'udp' },
      { target: 8080, protocol: 'udp' },
    ],
    [{ target: 8080, 'x-note': 'extension fields are allowed' }, { target: 8080 }],
  ])('%j', (entry, expected) => {
    expect(parseLongPort(entry)).toStrictEqual({ protocol: 'tcp', mode: 'ingress', ...expected });
  });

  it.each([
    [{ target: 0 }, 'target', '0'],
    [{ target: 65536 }, 'target', '65536'],
    [{ target: 'x8080' }, 'target', '"x8080"'],
    [{ target: '8080x' }, 'target', '"8080x"'],
    [{ target: true }, 'target', 'true'],
    [{ target: 8080, published: 'eighty' }, 'published port', '"eighty"'],
    [{ target: 8080, host_ip: 'nope' }, 'host_ip', '"nope"'],
    [{ target: 8080, name: ['web'] }, 'name', '["web"]'],
  ])('%j is an error naming %s and the value', (entry, field, value) => {
    const error = thrown(() => parseLongPort(entry));
    expect(error.name).toBe('PortSyntaxError');
    expect(error.message).toContain(field);
    expect(error.message).toContain(value);
  });

  it('names every unknown key and the keys it expects', () => {
    const { message } = thrown(() => parseLongPort({ target: 8080, hostport: 1, ip: 2 }));
    expect(message).toContain('"hostport", "ip"');
    expect(message).toContain('target, published, host_ip, protocol, mode, app_protocol, name');
  });

  it('treats a null target as a missing one', () => {
    expect(thrown(() => parseLongPort({ target: null }))).toEqual(thrown(() => parseLongPort({})));
  });
});

describe('publishes at its bounds', () => {
  it('checks the container port and both ends of a host range', () => {
    expect(publishes(parseShortPort('80:9090')[0], 80, 8080)).toBe(false);
    expect(['79-81:8080'].flatMap((s) => [78, 79, 81, 82].map((host) => publishes(parseShortPort(s)[0], host, 8080)))).toEqual([false, true, true, false]);
  });

  it('names the published port of a mapping built by hand when it is not one', () => {
    expect(thrown(() => publishes({ target: 8080, protocol: 'tcp', published: 'x' }, 80, 8080))).toEqual({ name: 'PortSyntaxError', message: 'invalid published port: "x"' });
  });
});
