import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';

/*
 * Where webhooks must never go, unless the operator's allow-list admits it.
 * A subscriber chooses the URL, so without this an API caller could make the
 * alerter POST into the cluster's own network (Svix: "check the resolved IP
 * at connect time"). Checking at connect time, on the address actually
 * dialled, defeats DNS rebinding: a name that resolved to a public address
 * when the subscription was made and to 10.0.0.5 now is refused now.
 */
const DENIED_V4 = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT, RFC 6598
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments (incl. 192.0.0.192 Oracle metadata)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const;
const DENIED_V6 = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 onto IPv4 (may reach private v4)
  ['2001::', 32], // Teredo (tunnels onto IPv4)
  ['2002::', 16], // 6to4 (embeds an IPv4 address, possibly a private one)
  ['fc00::', 7], // unique local, incl. fd00:ec2::254 (AWS metadata)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const;

export class AddressPolicy {
  readonly #denied = new BlockList();
  readonly #allowed = new BlockList();

  /** `allowCidrs`: operator exceptions such as 127.0.0.1/32 (tests) or 10.20.0.0/16 (an internal receiver). */
  constructor(allowCidrs: readonly string[]) {
    for (const [net, bits] of DENIED_V4) this.#denied.addSubnet(net, bits, 'ipv4');
    for (const [net, bits] of DENIED_V6) this.#denied.addSubnet(net, bits, 'ipv6');
    for (const cidr of allowCidrs) {
      const [net = '', bits = ''] = cidr.split('/');
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      this.#allowed.addSubnet(net, Number(bits === '' ? (family === 'ipv6' ? 128 : 32) : bits), family);
    }
  }

  /** True when `address` (a literal IP) may be dialled. */
  permits(address: string): boolean {
    // ::ffff:10.0.0.1 (or ::ffff:a00:1, 0:0:0:0:0:ffff:a00:1) is 10.0.0.1: judge IPv4-mapped
    // addresses as the IPv4 they are. (An IPv6 ::ffff:0:0/96 rule would not do: Node's
    // BlockList also matches every plain IPv4 address against it.)
    const ip = ipv4Mapped(address) ?? address;
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(ip) === 0) return false;
    return this.#allowed.check(ip, family) || !this.#denied.check(ip, family);
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

function ipv4Mapped(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (m === null) return undefined;
  const hi = parseInt(m[1] ?? '0', 16);
  const lo = parseInt(m[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function refused(host: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${host} resolves only to addresses the SSRF guard refuses`);
  err.code = 'EADDRNOTALLOWED';
  return err;
}

/** True when a URL's host is an IP literal the policy refuses: checked before dialling, as net.connect skips lookup for literals. */
export function literalRefused(policy: AddressPolicy, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 && !policy.permits(host);
}

/** The HTTP client every delivery uses: keep-alive pools per origin, and the guarded lookup on every new connection. */
export function guardedDispatcher(policy: AddressPolicy): Dispatcher {
  return new Agent({ connect: { lookup: policy.lookup() }, keepAliveTimeout: 10_000, connections: 64 });
}
