/**
 * Decodes one captured frame down to what the sensor needs: protocol,
 * addresses, ports, TCP flags and the ICMP type. Returns a reason string
 * (counted by the caller) when the frame is malformed or not IP.
 */
import { formatIpv6 } from '../ip.ts';

/** Link-layer header types (tcpdump.org/linktypes.html). */
export const LinkType = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;
const DLT_RAW_ALIASES = new Set([12, 14]);

export interface Packet {
  protocol: 'TCP' | 'UDP' | 'ICMP';
  srcPort: number;
  dstPort: number;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10); 0 otherwise. */
  flags: number;
  /** An ICMP echo request (ICMP type 8, ICMPv6 type 128). */
  echo: boolean;
  v6: boolean;
  /**
   * Numbers standing for the addresses: the IPv4 address itself (so equal
   * numbers are equal addresses), or a hash of an IPv6 one (equal numbers
   * must still be confirmed on the text).
   */
  srcHash: number;
  dstHash: number;
  /**
   * Where the address bytes are: the text is made only when an event needs
   * it (srcText, dstText), not for the answers that only decide an outcome.
   * Valid only until the next frame.
   */
  frame: Uint8Array;
  srcAt: number;
  dstAt: number;
}
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** A skip reason, or undefined when `into` now holds the packet. */
export type Decoded = string | undefined;

const EMPTY = new Uint8Array(0);

export function emptyPacket(): Packet {
  return { protocol: 'TCP', srcPort: 0, dstPort: 0, flags: 0, echo: false, v6: false, srcHash: 0, dstHash: 0, frame: EMPTY, srcAt: 0, dstAt: 0 };
}

/** Where the IP header starts for `linkType`, or a skip reason. */
function networkStart(linkType: number, f: Uint8Array, from: number, end: number): number | string {
  switch (linkType) {
    case LinkType.ETHERNET: {
      let at = from + 12;
      let type = ((f[at] ?? 0) << 8) | (f[at + 1] ?? 0);
      // 802.1Q / 802.1ad VLAN tags: 4 bytes each, possibly stacked (QinQ).
      while (type === 0x8100 || type === 0x88a8) {
        at += 4;
        type = ((f[at] ?? 0) << 8) | (f[at + 1] ?? 0);
      }
      if (at + 2 > end) return 'truncated link header';
      return type === 0x0800 || type === 0x86dd ? at + 2 : 'not IP';
    }
    case LinkType.LINUX_SLL: {
      // 16-byte header; protocol (ethertype) at offset 14.
      if (end - from < 16) return 'truncated link header';
      const type = ((f[from + 14] ?? 0) << 8) | (f[from + 15] ?? 0);
      return type === 0x0800 || type === 0x86dd ? from + 16 : 'not IP';
    }
    case LinkType.LINUX_SLL2: {
      // 20-byte header; protocol (ethertype) first.
      if (end - from < 20) return 'truncated link header';
      const type = ((f[from] ?? 0) << 8) | (f[from + 1] ?? 0);
      return type === 0x0800 || type === 0x86dd ? from + 20 : 'not IP';
    }
    case LinkType.NULL: {
      // 4-byte address family in the capturing host's byte order: 2 = AF_INET; 24, 28, 30 = AF_INET6 on BSDs/macOS.
      if (end - from < 4) return 'truncated link header';
      return from + 4;
    }
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return from;
    default:
      return DLT_RAW_ALIASES.has(linkType) ? from : 'unsupported link type';
  }
}

/**
 * Decodes the frame f[from..end) into `into` (one scratch object reused for
 * every frame: the caller copies what it keeps; a fresh object per packet,
 * or a Buffer view per frame, was measurable GC).
 */
export function decodeFrame(linkType: number, f: Uint8Array, from: number, end: number, into: Packet): Decoded {
  const at = networkStart(linkType, f, from, end);
  if (typeof at === 'string') return at;
  if (at >= end) return 'truncated IP header';
  const version = (f[at] ?? 0) >> 4;
  if (version === 4) return decodeIpv4(f, at, end, into);
  if (version === 6) return decodeIpv6(f, at, end, into);
  return 'not IP';
}

function decodeIpv4(f: Uint8Array, at: number, end: number, into: Packet): Decoded {
  const ihl = ((f[at] ?? 0) & 0x0f) * 4;
  if (ihl < 20 || at + ihl > end) return 'truncated IP header';
  // Only the first fragment carries the transport header.
  const fragOffset = (((f[at + 6] ?? 0) & 0x1f) << 8) | (f[at + 7] ?? 0);
  if (fragOffset !== 0) return 'IP fragment';
  const proto = f[at + 9] ?? 0;
  const skip = transport(f, at + ihl, end, proto === 1 ? 'icmp4' : proto, into);
  if (skip !== undefined) return skip;
  return addresses(into, f, false, at + 12, at + 16, word(f, at + 12), word(f, at + 16));
}

const IPV6_EXTENSIONS = new Set([0, 43, 60]);

function decodeIpv6(f: Uint8Array, at: number, end: number, into: Packet): Decoded {
  if (at + 40 > end) return 'truncated IP header';
  let next = f[at + 6] ?? 0;
  let off = at + 40;
  for (let hops = 0; hops < 8; hops++) {
    if (IPV6_EXTENSIONS.has(next)) {
      if (off + 2 > end) return 'truncated IP header';
      next = f[off] ?? 0;
      off += ((f[off + 1] ?? 0) + 1) * 8;
    } else if (next === 44) {
      // Fragment header: 8 bytes; a non-zero offset means no transport header here.
      if (off + 8 > end) return 'truncated IP header';
      if (((((f[off + 2] ?? 0) << 8) | (f[off + 3] ?? 0)) & 0xfff8) !== 0) return 'IP fragment';
      next = f[off] ?? 0;
      off += 8;
    } else break;
  }
  const skip = transport(f, off, end, next === 58 ? 'icmp6' : next, into);
  if (skip !== undefined) return skip;
  return addresses(into, f, true, at + 8, at + 24, hash16(f, at + 8), hash16(f, at + 24));
}

/** The big-endian 32-bit word at `at`, unsigned. */
function word(f: Uint8Array, at: number): number {
  return (((f[at] ?? 0) << 24) | ((f[at + 1] ?? 0) << 16) | ((f[at + 2] ?? 0) << 8) | (f[at + 3] ?? 0)) >>> 0;
}

/** A 32-bit hash of the 16 bytes of an IPv6 address (collisions are resolved by the caller comparing the text). */
function hash16(f: Uint8Array, at: number): number {
  let h = 0;
  for (let i = 0; i < 16; i += 4) h = Math.imul(h ^ word(f, at + i), 0x9e3779b1) ^ (h >>> 15);
  return h >>> 0;
}

function addresses(into: Packet, f: Uint8Array, v6: boolean, srcAt: number, dstAt: number, srcHash: number, dstHash: number): Decoded {
  into.frame = f;
  into.v6 = v6;
  into.srcAt = srcAt;
  into.dstAt = dstAt;
  into.srcHash = srcHash;
  into.dstHash = dstHash;
  return undefined;
}

export const srcText = (p: Packet): string => (p.v6 ? formatIpv6(p.frame, p.srcAt) : ipv4Text(p.srcHash));
export const dstText = (p: Packet): string => (p.v6 ? formatIpv6(p.frame, p.dstAt) : ipv4Text(p.dstHash));

/**
 * Recently formatted IPv4 addresses, direct-mapped by a hash of the address.
 * A darknet's own addresses are few and every answer repeats its attempt's
 * pair, so most texts are found here; a hit is also the same (flat) string
 * object as before, which makes the tuple and Avro string work cheaper.
 */
const V4_CACHE_BITS = 14;
const v4Keys = new Float64Array(1 << V4_CACHE_BITS).fill(-1);
const v4Texts: string[] = new Array<string>(1 << V4_CACHE_BITS).fill('');
/**
 * "a.b." by the high 16 bits and "c.d" by the low 16 bits, made when first
 * needed: a new address is then one concatenation, not six (V8's StringAdd
 * was the largest single cost of a new address).
 */
const v4High: string[] = new Array<string>(1 << 16).fill('');
const v4Low: string[] = new Array<string>(1 << 16).fill('');

function ipv4Text(a: number): string {
  const slot = Math.imul(a, 0x9e3779b1) >>> (32 - V4_CACHE_BITS);
  if (v4Keys[slot] === a) return v4Texts[slot] ?? '';
  const hi = a >>> 16;
  const lo = a & 0xffff;
  let high = v4High[hi] ?? '';
  if (high === '') v4High[hi] = high = `${hi >>> 8}.${hi & 255}.`;
  let low = v4Low[lo] ?? '';
  if (low === '') v4Low[lo] = low = `${lo >>> 8}.${lo & 255}`;
  const text = high + low;
  v4Keys[slot] = a;
  v4Texts[slot] = text;
  return text;
}

/** Fills protocol, ports, flags and echo. */
function transport(f: Uint8Array, at: number, end: number, proto: number | 'icmp4' | 'icmp6', into: Packet): Decoded {
  const port = (o: number): number => ((f[o] ?? 0) << 8) | (f[o + 1] ?? 0);
  if (proto === 6) {
    if (at + 14 > end) return 'truncated TCP header';
    into.protocol = 'TCP';
    into.srcPort = port(at);
    into.dstPort = port(at + 2);
    into.flags = f[at + 13] ?? 0;
    into.echo = false;
    return undefined;
  }
  if (proto === 17) {
    if (at + 8 > end) return 'truncated UDP header';
    into.protocol = 'UDP';
    into.srcPort = port(at);
    into.dstPort = port(at + 2);
    into.flags = 0;
    into.echo = false;
    return undefined;
  }
  if (proto === 'icmp4' || proto === 'icmp6') {
    if (at + 1 > end) return 'truncated ICMP header';
    // Echo request: ICMP type 8, ICMPv6 type 128. Both map to ICMP, port 0.
    into.protocol = 'ICMP';
    into.srcPort = 0;
    into.dstPort = 0;
    into.flags = 0;
    into.echo = (f[at] ?? 0) === (proto === 'icmp4' ? 8 : 128);
    return undefined;
  }
  return 'not TCP, UDP or ICMP';
}
