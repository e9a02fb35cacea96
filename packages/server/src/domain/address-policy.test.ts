import { describe, expect, it } from 'vitest';
import { checkAddress, isIpLiteral, isPublicAddress, parseIPv4, parseIPv6 } from './address-policy.ts';

// One address at the start, in the middle and at the end of every blocked range.
const BLOCKED: readonly [string, string][] = [
  ['0.0.0.0', 'this network'],
  ['0.12.34.56', 'this network'],
  ['0.255.255.255', 'this network'],
  ['10.0.0.0', 'private'],
  ['10.20.30.40', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.0', 'CGNAT'],
  ['100.100.100.200', 'CGNAT'],
  ['100.127.255.255', 'CGNAT'],
  ['127.0.0.1', 'loopback'],
  ['127.1.2.3', 'loopback'],
  ['127.255.255.255', 'loopback'],
  ['169.254.0.0', 'link-local'],
  ['169.254.169.254', 'link-local'],
  ['169.254.255.255', 'link-local'],
  ['172.16.0.0', 'private'],
  ['172.20.1.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.0', 'IETF'],
  ['192.0.0.170', 'IETF'],
  ['192.0.0.255', 'IETF'],
  ['192.0.2.0', 'documentation'],
  ['192.0.2.128', 'documentation'],
  ['192.0.2.255', 'documentation'],
  ['192.88.99.0', '6to4 relay'],
  ['192.88.99.1', '6to4 relay'],
  ['192.88.99.255', '6to4 relay'],
  ['192.168.0.0', 'private'],
  ['192.168.1.1', 'private'],
  ['192.168.255.255', 'private'],
  ['198.18.0.0', 'benchmarking'],
  ['198.18.200.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.0', 'documentation'],
  ['198.51.100.77', 'documentation'],
  ['198.51.100.255', 'documentation'],
  ['203.0.113.0', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['203.0.113.255', 'documentation'],
  ['224.0.0.0', 'multicast'],
  ['233.1.2.3', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.0', 'reserved'],
  ['250.1.2.3', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['::ffff:127.0.0.1', 'IPv4-mapped form of loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped form of loopback'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'IPv4-mapped form of loopback'],
  ['::ffff:169.254.169.254', 'IPv4-mapped form of link-local'],
  ['::ffff:10.0.0.1', 'IPv4-mapped form of private'],
  ['::ffff:0.0.0.0', 'IPv4-mapped form of this network'],
  ['::7f00:1', 'IPv4-compatible'],
  ['::127.0.0.1', 'IPv4-compatible'],
  ['::8.8.8.8', 'IPv4-compatible'],
  ['64:ff9b::7f00:1', 'NAT64 form of loopback'],
  ['64:ff9b::127.0.0.1', 'NAT64 form of loopback'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 form of link-local'],
  ['64:ff9b::c0a8:101', 'NAT64 form of private'],
  ['64:ff9b:1::1', 'NAT64 (local use)'],
  ['64:ff9b:1:ffff::8.8.8.8', 'NAT64 (local use)'],
  ['100::', 'discard-only'],
  ['100::ffff:ffff:ffff:ffff', 'discard-only'],
  ['2001::', 'Teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'Teredo'],
  ['2001:2::1', 'benchmarking'],
  ['2001:db8::', 'documentation'],
  ['2001:db8:85a3::8a2e:370:7334', 'documentation'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
  ['2002:7f00:1::', '6to4 form of loopback'],
  ['2002:a9fe:a9fe::1', '6to4 form of link-local'],
  ['2002:c0a8:0101::', '6to4 form of private'],
  ['2002::', '6to4 form of this network'],
  ['3fff::1', 'documentation'],
  ['fc00::', 'unique local'],
  ['fd00:ec2::254', 'unique local'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local'],
  ['fe80::', 'link-local'],
  ['fe80::1%lo', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
  ['fec0::1', 'site-local'],
  ['feff::1', 'site-local'],
  ['ff00::', 'multicast'],
  ['ff02::1', 'multicast'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
  ['::ffff:0:7f00:1', 'not global unicast'],
  ['4000::1', 'not global unicast'],
  ['1::1', 'not global unicast'],
];

const ALLOWED: readonly string[] = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.255',
  '192.0.3.0',
  '192.88.98.255',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '203.0.112.255',
  '223.255.255.255',
  '93.184.216.34',
  '2606:4700:4700::1111',
  '2a00:1450:4001:81b::200e',
  '2001:4860:4860::8888',
  '2001:200::1',
  '[2606:4700:4700::1111]',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '64:ff9b::808:808',
  '64:ff9b::1.1.1.1',
  '2002:808:808::1',
  '3ffe:ffff::1',
];

const NOT_ADDRESSES = [
  '',
  'localhost',
  'example.com',
  '1.2.3',
  '1.2.3.4.5',
  '256.1.1.1',
  '01.2.3.4',
  '0x7f.0.0.1',
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  '12345::1',
  ':::1',
  'g::1',
  '::ffff:1.2.3',
];

describe('address policy', () => {
  it.each(BLOCKED)('blocks %s (%s)', (address, reason) => {
    const verdict = checkAddress(address);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason.toLowerCase()).toContain(reason.toLowerCase());
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(ALLOWED)('allows public unicast %s', (address) => {
    expect(checkAddress(address)).toEqual({ allowed: true });
  });

  it.each(NOT_ADDRESSES)('refuses non-address %j', (text) => {
    expect(isIpLiteral(text)).toBe(false);
    expect(checkAddress(text)).toEqual({ allowed: false, reason: 'not an IP address' });
  });

  it('parses IPv4 and IPv6 forms to the same numbers', () => {
    expect(parseIPv4('127.0.0.1')).toBe(0x7f000001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('0:0:0:0:0:ffff:7f00:0001'));
    expect(parseIPv6('[::1]')).toBe(1n);
    expect(parseIPv6('::')).toBe(0n);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toBe(0x00010002000300040005000600070008n);
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toBe(0x00010002000300040005000601020304n);
    expect(parseIPv6('1::')).toBe(1n << 112n);
  });
});
