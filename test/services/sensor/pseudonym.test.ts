import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../services/sensor/ip.ts';
import { Pseudonymizer, pseudonymKey } from '../../../services/sensor/pseudonym.ts';

// The sample key and addresses of the Crypto-PAn reference implementation (sample.cpp / sample_trace_raw.dat).
const REFERENCE_KEY = Buffer.from([21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2]);

function commonPrefixBits(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (x === undefined || y === undefined) throw new Error('not addresses');
  for (let i = 0; i < x.length * 8; i++) {
    const bit = (v: Uint8Array): number => ((v[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    if (bit(x) !== bit(y)) return i;
  }
  return x.length * 8;
}

describe('destination pseudonyms', () => {
  it('match the Crypto-PAn reference outputs for its sample key', () => {
    const p = new Pseudonymizer(REFERENCE_KEY);
    expect(p.address('128.11.68.132')).toBe('135.242.180.132');
    expect(p.address('129.118.74.4')).toBe('134.136.186.123');
    expect(p.address('130.132.252.244')).toBe('133.68.164.234');
    expect(p.address('141.223.7.43')).toBe('141.167.8.160');
    expect(p.address('141.233.145.108')).toBe('141.129.237.235');
  });

  it('preserve the common prefix length of IPv4 and IPv6 pairs', () => {
    const p = new Pseudonymizer(pseudonymKey('a passphrase long enough'));
    const pairs = [
      ['198.51.100.7', '198.51.100.8'],
      ['198.51.100.7', '198.51.101.7'],
      ['10.0.0.1', '192.168.0.1'],
      ['2001:db8:1::7', '2001:db8:1::8'],
      ['2001:db8:1::7', '2001:db8:ffff::7'],
      ['2001:db8::1', 'fe80::1'],
    ] as const;
    for (const [a, b] of pairs) expect(commonPrefixBits(p.address(a), p.address(b))).toBe(commonPrefixBits(a, b));
  });

  it('are the same across instances for one key, differ for another, and hide the address', () => {
    const a = new Pseudonymizer(pseudonymKey('first key, sixteen+'));
    const b = new Pseudonymizer(pseudonymKey('first key, sixteen+'));
    const c = new Pseudonymizer(pseudonymKey('second key, sixteen+'));
    expect(a.address('198.51.100.7')).toBe(b.address('198.51.100.7'));
    expect(c.address('198.51.100.7')).not.toBe(a.address('198.51.100.7'));
    expect(a.address('198.51.100.7')).not.toBe('198.51.100.7');
    expect(a.address('2001:db8:1::7')).toBe(b.address('2001:db8:1::7'));
  });

  it('use a 64-hex-digit key as the raw Crypto-PAn key', () => {
    const p = new Pseudonymizer(pseudonymKey(REFERENCE_KEY.toString('hex')));
    expect(p.address('128.11.68.132')).toBe('135.242.180.132');
  });
});
