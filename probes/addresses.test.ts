import { describe, expect, it } from 'vitest';
import { dialText, isLoopback, parseAddress, specialRange } from './addresses.js';

/** What the policy sees of an address: `loopback`, a special range's name, or `public`. */
const classOf = (address: string) => (isLoopback(address) ? 'loopback' : (specialRange(address) ?? 'public'));
const isIn = (address: string, expected: string) => expect(classOf(address)).toBe(expected);

const CLOUD_METADATA = 'link-local (cloud metadata)';
const CGN = 'carrier-grade NAT';

describe('every range: its first and last address, and the addresses just outside', () => {
  it.each([
    // 0.0.0.0/8 ("this network"; 0.0.0.0 dials this machine)
    ['0.0.0.0', 'reserved'],
    ['0.255.255.255', 'reserved'],
    ['1.0.0.0', 'public'],
    // 10.0.0.0/8
    ['9.255.255.255', 'public'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', 'public'],
    // 100.64.0.0/10
    ['100.63.255.255', 'public'],
    ['100.64.0.0', CGN],
    ['100.127.255.255', CGN],
    ['100.128.0.0', 'public'],
    // 127.0.0.0/8
    ['126.255.255.255', 'public'],
    ['127.0.0.0', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['128.0.0.0', 'public'],
    // 169.254.0.0/16
    ['169.253.255.255', 'public'],
    ['169.254.0.0', CLOUD_METADATA],
    ['169.254.255.255', CLOUD_METADATA],
    ['169.255.0.0', 'public'],
    // 172.16.0.0/12
    ['172.15.255.255', 'public'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', 'public'],
    // 192.168.0.0/16
    ['192.167.255.255', 'public'],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', 'public'],
    // 224.0.0.0/3: multicast, former class E, broadcast
    ['223.255.255.255', 'public'],
    ['224.0.0.0', 'reserved'],
    ['255.255.255.255', 'reserved'],
    // ::/128 and ::1/128, then the IPv4-compatible ::/96 around them
    ['::', 'reserved'],
    ['::1', 'loopback'],
    ['::2', 'reserved'],
    ['::ffff:ffff', 'reserved'],
    ['::1:0:0', 'public'],
    // fc00::/7
    ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'public'],
    ['fc00::', 'private'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fe00::', 'public'],
    // fe80::/10, each of its four hex prefixes
    ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'public'],
    ['fe80::', 'link-local'],
    ['fe9f::1', 'link-local'],
    ['fea0::1', 'link-local'],
    ['feb0::1', 'link-local'],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
    ['fec0::', 'public'],
    // ff00::/8
    ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'public'],
    ['ff00::', 'reserved'],
    ['ff02::1', 'reserved'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
    // Global unicast, including the documentation range the simulated lab uses.
    ['2001:db8::1', 'public'],
    ['20.50.1.2', 'public'],
  ])('%s is %s', isIn);
});

describe('IPv6 that carries an IPv4 address is in that address’s range', () => {
  it.each([
    // IPv4-mapped ::ffff:0:0/96: a dual-stack socket dials the IPv4 address itself, loopback included.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0:0', 'reserved'],
    ['::ffff:a9fe:a9fe', CLOUD_METADATA],
    ['::ffff:a00:1', 'private'],
    ['::ffff:ffff:ffff', 'reserved'],
    ['::ffff:808:808', 'public'],
    ['::fffe:ffff:ffff', 'public'],
    ['::1:0:0:0', 'public'],
    // IPv4-translated ::ffff:0:0:0/96
    ['::ffff:0:a00:1', 'private'],
    ['::ffff:1:a00:1', 'public'],
    // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
    ['64:ff9b::a9fe:a9fe', CLOUD_METADATA],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b::1:a00:1', 'public'],
    ['64:ff9a:ffff:ffff:ffff:ffff:a00:1', 'public'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b:1:ffff:ffff:ffff:a00:1', 'private'],
    ['64:ff9b:2::a00:1', 'public'],
    // 6to4 2002::/16: the IPv4 address follows the prefix.
    ['2002:a00:1::', 'private'],
    ['2002:a9fe:a9fe:ffff::1', CLOUD_METADATA],
    ['2002:808:808::', 'public'],
    ['2001:ffff:a00:1::', 'public'],
    ['2003:a00:1::', 'public'],
    // IPv4-compatible ::/96 (deprecated)
    ['::a00:1', 'private'],
    ['::808:808', 'public'],
  ])('%s is %s', isIn);

  it.each(['::ffff:0:7f00:1', '64:ff9b::7f00:1', '64:ff9b:1::7f00:1', '2002:7f00:1::', '::7f00:1', '::127.0.0.1'])(
    'loopback behind a translator or tunnel (%s) is not this machine: reserved, never dialled as loopback',
    (address) => {
      expect(classOf(address)).toBe('reserved');
    },
  );
});

describe('every spelling of an address is in the same range as its usual one', () => {
  it.each([
    // The unspecified address, which dials this machine.
    ['0:0:0:0:0:0:0:0', '::', 'reserved'],
    ['::0', '::', 'reserved'],
    ['0::0', '::', 'reserved'],
    ['[::]', '::', 'reserved'],
    ['::%lo', '::', 'reserved'],
    ['::ffff:0.0.0.0', '::ffff:0:0', 'reserved'],
    ['0', '0.0.0.0', 'reserved'],
    ['0x0', '0.0.0.0', 'reserved'],
    // IPv6 loopback, expanded, with leading zeros, in brackets, with a zone.
    ['0:0:0:0:0:0:0:1', '::1', 'loopback'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1', 'loopback'],
    ['::0001', '::1', 'loopback'],
    ['[::1]', '::1', 'loopback'],
    ['::1%lo', '::1', 'loopback'],
    ['::FFFF:127.0.0.1', '::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:FFFF:7F00:0001', '::ffff:7f00:1', 'loopback'],
    // IPv4 loopback as getaddrinfo and URL parsers read it: short, octal, hex, one number, a final dot.
    ['127.1', '127.0.0.1', 'loopback'],
    ['0x7f.1', '127.0.0.1', 'loopback'],
    ['0X7F.0.0.1', '127.0.0.1', 'loopback'],
    ['0177.0.0.1', '127.0.0.1', 'loopback'],
    ['2130706433', '127.0.0.1', 'loopback'],
    ['0x7F000001', '127.0.0.1', 'loopback'],
    ['127.0.0.1.', '127.0.0.1', 'loopback'],
    // Upper case and zones elsewhere.
    ['FE80::1', 'fe80::1', 'link-local'],
    ['fe80::1%eth0', 'fe80::1', 'link-local'],
    ['FD00::1', 'fd00::1', 'private'],
    ['FF02::1', 'ff02::1', 'reserved'],
    ['0xA9FEA9FE', '169.254.169.254', CLOUD_METADATA],
    ['0251.0376.0251.0376', '169.254.169.254', CLOUD_METADATA],
    ['10.1', '10.0.0.1', 'private'],
  ])('%s is %s, %s', (spelling, canonical, expected) => {
    expect(parseAddress(spelling)?.canonical).toBe(canonical);
    expect(classOf(spelling)).toBe(expected);
  });

  it('reads the family and keeps an IPv6 zone apart, to dial with', () => {
    expect(parseAddress('fe80::1%eth0')).toEqual({ family: 6, canonical: 'fe80::1', zone: 'eth0' });
    expect(parseAddress('[FE80::1]')).toEqual({ family: 6, canonical: 'fe80::1' });
    expect(parseAddress('0x7f.1')).toEqual({ family: 4, canonical: '127.0.0.1' });
    expect(dialText(parseAddress('fe80::1%eth0')!)).toBe('fe80::1%eth0');
    expect(dialText(parseAddress('0:0:0:0:0:0:0:1')!)).toBe('::1');
  });

  it.each([
    'localhost',
    'app.example.com',
    // Names made of hex digits only: not addresses unless their last label is a number.
    'dead.beef',
    '1e3',
    // Numbers that are no IPv4 address.
    '127.0.0.256',
    '4294967296',
    '1.2.3.4.5',
    // URL-only readings a socket would not share: percent-escapes and full-width digits.
    '%31%32%37.0.0.1',
    '127.0.0.%31',
    '１２７.0.0.1',
    // Half a pair of brackets, an empty zone, spaces.
    '[::1',
    '::1]',
    'a[::1]',
    '[::1]a',
    '::1%',
    ' 127.0.0.1',
    '',
  ])('%j is no address: a name, vetted once it resolves', (text) => {
    expect(parseAddress(text)).toBeUndefined();
    expect(isLoopback(text)).toBe(false);
    expect(specialRange(text)).toBeUndefined();
  });
});

describe('specialRange leaves loopback to isLoopback', () => {
  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.1'])('%s is loopback and in no special range', (address) => {
    expect(isLoopback(address)).toBe(true);
    expect(specialRange(address)).toBeUndefined();
  });
});
