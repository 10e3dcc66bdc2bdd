import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';

/*
 * Where webhooks may go: public unicast addresses only, unless the operator's
 * allow-list admits the address. A subscriber chooses the URL, so without
 * this an API caller could make the alerter POST into the cluster's own
 * network (Svix: "check the resolved IP at connect time"). Checking at
 * connect time, on the address actually dialled, defeats DNS rebinding: a
 * name that resolved to a public address when the subscription was made and
 * to 10.0.0.5 now is refused now.
 *
 * The special-purpose ranges are ipaddr.js's range names (its tables follow
 * the IANA IPv4 and IPv6 Special-Purpose Address Registries), not a hand list:
 * an address is public when ipaddr.js calls it 'unicast'. IPv6 must also lie
 * in 2000::/3, the only block IANA has allocated as global unicast, which
 * refuses the deprecated IPv4-compatible ::/96 ([::127.0.0.1]) and every
 * reserved block ipaddr.js has no name for yet (100:0:0:1::/64, RFC 9780).
 */
type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
/** RFC 6052 §2.1, the Well-Known Prefix: 64:ff9b::a.b.c.d is a.b.c.d through a NAT64 gateway. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/** Parses an IP literal in any notation ipaddr.js reads (dotted, hex, octal, IPv6 with embedded IPv4), or undefined. */
export function parseAddress(literal: string): Address | undefined {
  return ipaddr.isValid(literal) ? ipaddr.parse(literal) : undefined;
}

/** True for an address that is neither special-purpose nor outside the global unicast space. */
export function isPublicUnicast(ip: Address): boolean {
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  return ip.range() === 'unicast' && ip.match(GLOBAL_UNICAST_V6);
}

/**
 * The IPv4 address an IPv6 one stands for, when the route to it is that IPv4
 * address: IPv4-mapped (::ffff:a.b.c.d, a dual-stack socket's view of IPv4)
 * and the NAT64 Well-Known Prefix, which "MUST NOT be used to represent
 * non-global IPv4 addresses" (RFC 6052 §3.1) but is judged by its IPv4 all
 * the same. Other embeddings (6to4, Teredo, IPv4-compatible, 64:ff9b:1::/48
 * with its unknown prefix length) are refused outright: they are special-purpose.
 */
function embeddedIPv4(ip: Address): ipaddr.IPv4 | undefined {
  if (ip.kind() !== 'ipv6') return undefined;
  const v6 = ip as ipaddr.IPv6;
  if (v6.range() === 'ipv4Mapped') return v6.toIPv4Address();
  if (v6.match(NAT64_WELL_KNOWN)) return ipaddr.fromByteArray(v6.toByteArray().slice(12)) as ipaddr.IPv4;
  return undefined;
}

export class AddressPolicy {
  readonly #allowed: readonly Cidr[];

  /** `allowCidrs`: operator exceptions such as 127.0.0.1/32 (tests) or 10.20.0.0/16 (an internal receiver); a bare address is a /32 or /128. */
  constructor(allowCidrs: readonly string[]) {
    this.#allowed = allowCidrs.map((c) => (c.includes('/') ? ipaddr.parseCIDR(c) : [ipaddr.parse(c), ipaddr.parse(c).kind() === 'ipv4' ? 32 : 128]));
  }

  /** True when `address` (an IP literal) may be dialled. */
  permits(address: string): boolean {
    const ip = parseAddress(address);
    if (ip === undefined) return false;
    if (this.#admits(ip)) return true;
    const v4 = embeddedIPv4(ip);
    return v4 === undefined ? isPublicUnicast(ip) : this.#admits(v4) || isPublicUnicast(v4);
  }

  #admits(ip: Address): boolean {
    return this.#allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }

  /** A dns.lookup that drops refused addresses, failing with EADDRNOTALLOWED when none is left. */
  lookup(): typeof dnsLookup {
    const guarded = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
      dnsLookup(hostname, { ...options, all: true } satisfies LookupAllOptions, (err, addresses) => {
        const ok = err === null ? addresses.filter((a) => this.permits(a.address)) : [];
        const first = ok[0];
        if (err !== null) callback(err, '');
        else if (first === undefined) callback(refused(hostname), '');
        else if (options.all === true) callback(null, ok);
        else callback(null, first.address, first.family);
      });
    };
    return guarded as unknown as typeof dnsLookup;
  }
}

export function refused(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${host} resolves only to addresses the SSRF guard refuses`);
  err.code = 'EADDRNOTALLOWED';
  return err;
}

/**
 * True when a URL's host is an IP literal the policy refuses: checked when a
 * subscription is made and before dialling, as net.connect skips lookup for
 * literals. The WHATWG parser has already turned 0x7f.1, 2130706433 and
 * [::127.0.0.1] into canonical form; a host name is left to connect time.
 */
export function literalRefused(policy: AddressPolicy, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return parseAddress(host) !== undefined && !policy.permits(host);
}

/** The HTTP client every delivery uses: keep-alive pools per origin, and the guarded lookup on every new connection. */
export function guardedDispatcher(policy: AddressPolicy): Dispatcher {
  return new Agent({ connect: { lookup: policy.lookup() }, keepAliveTimeout: 10_000, connections: 64 });
}
