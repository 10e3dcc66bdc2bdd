import { describe, expect, it, onTestFinished } from 'vitest';
import { postOnce } from '../../../../services/alerter/delivery/attempt.ts';
import { AddressPolicy, guardedDispatcher, literalRefused } from '../../../../services/alerter/delivery/ssrf.ts';
import { always, startTestServer } from '../fixtures.ts';

/**
 * Every entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (iana.org/assignments/iana-ipv4-special-registry and
 * iana-ipv6-special-registry), plus multicast, the deprecated site-local and
 * IPv4-compatible blocks and the reserved space outside 2000::/3, each with
 * its first and last address. A webhook never has a reason to go to any of
 * them, globally reachable anycast and AS112 included.
 */
const SPECIAL: readonly (readonly [block: string, first: string, last: string])[] = [
  ['0.0.0.0/8 this network', '0.0.0.0', '0.255.255.255'],
  ['10.0.0.0/8 private use', '10.0.0.0', '10.255.255.255'],
  ['100.64.0.0/10 shared address space (CGNAT)', '100.64.0.0', '100.127.255.255'],
  ['127.0.0.0/8 loopback', '127.0.0.0', '127.255.255.255'],
  ['169.254.0.0/16 link local (cloud metadata)', '169.254.0.0', '169.254.255.255'],
  ['172.16.0.0/12 private use', '172.16.0.0', '172.31.255.255'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.0', '192.0.0.255'],
  ['192.0.0.0/29 IPv4 service continuity prefix', '192.0.0.1', '192.0.0.7'],
  ['192.0.0.8/32 IPv4 dummy address', '192.0.0.8', '192.0.0.8'],
  ['192.0.0.9/32 PCP anycast', '192.0.0.9', '192.0.0.9'],
  ['192.0.0.10/32 TURN anycast', '192.0.0.10', '192.0.0.10'],
  ['192.0.0.170/31 NAT64/DNS64 discovery', '192.0.0.170', '192.0.0.171'],
  ['192.0.0.192 Oracle cloud metadata', '192.0.0.192', '192.0.0.192'],
  ['192.0.2.0/24 documentation (TEST-NET-1)', '192.0.2.0', '192.0.2.255'],
  ['192.31.196.0/24 AS112-v4', '192.31.196.0', '192.31.196.255'],
  ['192.52.193.0/24 AMT', '192.52.193.0', '192.52.193.255'],
  ['192.88.99.0/24 6to4 relay anycast (deprecated), 6a44 relay', '192.88.99.0', '192.88.99.255'],
  ['192.168.0.0/16 private use', '192.168.0.0', '192.168.255.255'],
  ['192.175.48.0/24 direct delegation AS112', '192.175.48.0', '192.175.48.255'],
  ['198.18.0.0/15 benchmarking', '198.18.0.0', '198.19.255.255'],
  ['198.51.100.0/24 documentation (TEST-NET-2)', '198.51.100.0', '198.51.100.255'],
  ['203.0.113.0/24 documentation (TEST-NET-3)', '203.0.113.0', '203.0.113.255'],
  ['224.0.0.0/4 multicast', '224.0.0.0', '239.255.255.255'],
  ['240.0.0.0/4 reserved', '240.0.0.0', '255.255.255.254'],
  ['255.255.255.255/32 limited broadcast', '255.255.255.255', '255.255.255.255'],
  ['::1/128 loopback', '::1', '::1'],
  ['::/128 unspecified', '::', '::'],
  ['::/96 IPv4-compatible (deprecated)', '::127.0.0.1', '::5db8:d822'],
  ['::ffff:0:0/96 IPv4-mapped, private IPv4', '::ffff:10.0.0.1', '::ffff:7f00:1'],
  ['::ffff:0:0:0/96 IPv4-translated (RFC 6145)', '::ffff:0:0:0', '::ffff:0:5db8:d822'],
  ['64:ff9b::/96 NAT64 well-known prefix, non-global IPv4', '64:ff9b::', '64:ff9b::a9fe:a9fe'],
  ['64:ff9b:1::/48 local-use IPv4/IPv6 translation', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff'],
  ['100::/64 discard-only', '100::', '100::ffff:ffff:ffff:ffff'],
  ['100:0:0:1::/64 dummy IPv6 prefix', '100:0:0:1::', '100::1:ffff:ffff:ffff:ffff'],
  ['2001::/23 IETF protocol assignments', '2001::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001::/32 Teredo', '2001:0:4136:e378::1', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:1::1/128 PCP anycast', '2001:1::1', '2001:1::1'],
  ['2001:1::2/128 TURN anycast', '2001:1::2', '2001:1::2'],
  ['2001:1::3/128 DNS-SD SRP anycast', '2001:1::3', '2001:1::3'],
  ['2001:2::/48 benchmarking', '2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff'],
  ['2001:3::/32 AMT', '2001:3::', '2001:3:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:4:112::/48 AS112-v6', '2001:4:112::', '2001:4:112:ffff:ffff:ffff:ffff:ffff'],
  ['2001:10::/28 ORCHID (deprecated)', '2001:10::', '2001:1f:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:20::/28 ORCHIDv2', '2001:20::', '2001:2f:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:30::/28 drone remote ID', '2001:30::', '2001:3f:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2001:db8::/32 documentation', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2002::/16 6to4', '2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['2620:4f:8000::/48 direct delegation AS112', '2620:4f:8000::', '2620:4f:8000:ffff:ffff:ffff:ffff:ffff'],
  ['3fff::/20 documentation', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['5f00::/16 segment routing SIDs', '5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fc00::/7 unique local (incl. fd00:ec2::254, AWS metadata)', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fe80::/10 link-local', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['fec0::/10 site-local (deprecated)', 'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['ff00::/8 multicast', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['4000::/3 and the rest outside 2000::/3 (unallocated)', '4000::1', '1::1'],
];

/** Public unicast, including the addresses right next to special blocks and public IPv4 seen through IPv6. */
const PUBLIC = ['93.184.216.34', '1.1.1.1', '192.0.1.255', '192.0.3.0', '198.17.255.255', '198.20.0.0', '223.255.255.255', '100.63.255.255', '100.128.0.0',
  '2606:4700::1111', '2001:200::1', '2a00:1450:4001::1', '::ffff:5db8:d822', '::ffff:93.184.216.34', '64:ff9b::5db8:d822', '64:ff9b::93.184.216.34'];

describe('AddressPolicy', () => {
  const policy = new AddressPolicy([]);

  it.each(SPECIAL)('refuses %s', (_block, first, last) => {
    expect([first, policy.permits(first)]).toEqual([first, false]);
    expect([last, policy.permits(last)]).toEqual([last, false]);
  });

  it('admits public unicast, also as IPv4-mapped or NAT64 IPv6', () => {
    for (const ip of PUBLIC) expect([ip, policy.permits(ip)]).toEqual([ip, true]);
  });

  it('refuses loopback and private IPv4 in every IPv6 notation', () => {
    const forms = ['::ffff:a00:1', '0:0:0:0:0:ffff:7f00:1', '::ffff:127.0.0.1', '::127.0.0.1', '0::7f00:1', '2002:a00:1::1', '2002:7f00:1::', '64:ff9b::10.0.0.1', '64:ff9b:1::a00:1', '::ffff:0:a00:1'];
    for (const ip of forms) expect([ip, policy.permits(ip)]).toEqual([ip, false]);
  });

  it('refuses what is not an IP literal', () => {
    for (const s of ['', 'localhost', '10.0.0.1/8', '1.2.3.4.5', '[::1]']) expect([s, policy.permits(s)]).toEqual([s, false]);
  });

  it('admits what the operator allow-list names, also through its IPv4-mapped form', () => {
    const allowing = new AddressPolicy(['10.20.0.0/16', '::1', '127.0.0.1']);
    expect(allowing.permits('10.20.1.1')).toBe(true);
    expect(allowing.permits('::ffff:10.20.1.1')).toBe(true);
    expect(allowing.permits('10.21.1.1')).toBe(false);
    expect(allowing.permits('::1')).toBe(true);
    expect(allowing.permits('127.0.0.1')).toBe(true);
    expect(allowing.permits('127.0.0.2')).toBe(false);
  });
});

describe('literalRefused', () => {
  it('refuses a literal private host in every URL notation, and leaves host names to connect time', () => {
    const policy = new AddressPolicy([]);
    const refusedUrls = ['http://127.0.0.1/', 'http://0x7f.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://127.1/', 'http://[::127.0.0.1]/', 'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[64:ff9b:1::1]/', 'https://192.0.2.1/', 'https://[2001:db8::1]:8443/'];
    for (const url of refusedUrls) expect([url, literalRefused(policy, new URL(url))]).toEqual([url, true]);
    for (const url of ['https://example.test/hook', 'http://localhost/', 'https://93.184.216.34/', 'https://[2606:4700::1111]/']) {
      expect([url, literalRefused(policy, new URL(url))]).toEqual([url, false]);
    }
  });
});

describe('guarded delivery', () => {
  const attempt = async (url: string, allow: string[]) => {
    const policy = new AddressPolicy(allow);
    const dispatcher = guardedDispatcher(policy);
    onTestFinished(() => dispatcher.destroy());
    return postOnce({ url, headers: {}, body: '{}' }, { timeoutMs: 2_000, maxResponseBytes: 100, dispatcher, policy });
  };

  it('refuses a loopback receiver by IP literal unless allowed', async () => {
    const server = await startTestServer(always(204));
    expect(await attempt(server.url, [])).toMatchObject({ status: null, failure: 'blocked' });
    expect(await attempt(server.url, ['127.0.0.1/32'])).toMatchObject({ status: 204, failure: null });
    expect(server.requests).toHaveLength(1);
  });

  it('checks the address a host name resolves to at connect time', async () => {
    const server = await startTestServer(always(204));
    const byName = server.url.replace('127.0.0.1', 'localhost');
    expect(await attempt(byName, [])).toMatchObject({ status: null, failure: 'blocked' });
    expect(await attempt(byName, ['127.0.0.1/32', '::1/128'])).toMatchObject({ status: 204 });
    expect(server.requests).toHaveLength(1);
  });
});
