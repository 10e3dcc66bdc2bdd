import { describe, expect, it, onTestFinished } from 'vitest';
import { postOnce } from '../../../services/alerter/attempt.ts';
import { AddressPolicy, guardedDispatcher } from '../../../services/alerter/ssrf.ts';
import { always, startTestServer } from './fixtures.ts';

describe('AddressPolicy', () => {
  it('refuses private, loopback, link-local, CGNAT and metadata addresses', () => {
    const policy = new AddressPolicy([]);
    for (const ip of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '100.64.0.1', '172.16.5.5', '192.168.1.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:10.0.0.1']) {
      expect([ip, policy.permits(ip)]).toEqual([ip, false]);
    }
    expect(policy.permits('93.184.216.34')).toBe(true);
    expect(policy.permits('2606:4700::1111')).toBe(true);
  });

  it('refuses IPv6 forms that reach IPv4 space: hex IPv4-mapped, 6to4, Teredo, NAT64', () => {
    const policy = new AddressPolicy([]);
    for (const ip of ['::ffff:a00:1', '0:0:0:0:0:ffff:7f00:1', '2002:a00:1::1', '2001:0:4136:e378::1', '64:ff9b::a00:1']) {
      expect([ip, policy.permits(ip)]).toEqual([ip, false]);
    }
    expect(policy.permits('::ffff:5db8:d822')).toBe(true); // 93.184.216.34, a public address
  });

  it('admits what the operator allow-list names', () => {
    const policy = new AddressPolicy(['10.20.0.0/16', '::1']);
    expect(policy.permits('10.20.1.1')).toBe(true);
    expect(policy.permits('10.21.1.1')).toBe(false);
    expect(policy.permits('::1')).toBe(true);
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
