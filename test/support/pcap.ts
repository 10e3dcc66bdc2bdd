/**
 * A small writer of pcap and pcapng captures for tests and benchmarks:
 * frames built byte by byte from the header layouts (RFC 791, RFC 8200,
 * RFC 9293, RFC 768, RFC 792; tcpdump.org link types), so the sensor's
 * parser is checked against the formats, not against itself.
 */
import { parseIp } from '../../services/sensor/ip.ts';

export const LINK = { ethernet: 1, raw: 101, sll: 113, sll2: 276 } as const;
export type Link = keyof typeof LINK;

export interface TestPacket {
  readonly timeMs: number;
  readonly src: string;
  readonly dst: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flags: S, SA, R, RA, A ... */
  readonly flags?: string;
  /** ICMP type (default 8, echo request; 128 is used for IPv6 automatically). */
  readonly icmpType?: number;
}

function addr(text: string): Buffer {
  const b = parseIp(text);
  if (b === undefined) throw new Error(`bad test address ${text}`);
  return Buffer.from(b);
}

function flagByte(flags: string): number {
  let f = 0;
  if (flags.includes('F')) f |= 0x01;
  if (flags.includes('S')) f |= 0x02;
  if (flags.includes('R')) f |= 0x04;
  if (flags.includes('P')) f |= 0x08;
  if (flags.includes('A')) f |= 0x10;
  return f;
}

function transport(p: TestPacket, v6: boolean): { proto: number; bytes: Buffer } {
  if (p.proto === 'tcp') {
    const t = Buffer.alloc(20);
    t.writeUInt16BE(p.sport ?? 40000, 0);
    t.writeUInt16BE(p.dport ?? 445, 2);
    t.writeUInt32BE(12345, 4);
    t[12] = 5 << 4;
    t[13] = flagByte(p.flags ?? 'S');
    t.writeUInt16BE(1024, 14);
    return { proto: 6, bytes: t };
  }
  if (p.proto === 'udp') {
    const u = Buffer.alloc(8 + 4);
    u.writeUInt16BE(p.sport ?? 40000, 0);
    u.writeUInt16BE(p.dport ?? 53, 2);
    u.writeUInt16BE(12, 4);
    return { proto: 17, bytes: u };
  }
  const i = Buffer.alloc(8);
  i[0] = p.icmpType ?? (v6 ? 128 : 8);
  return { proto: v6 ? 58 : 1, bytes: i };
}

export function ipPacket(p: TestPacket): Buffer {
  const src = addr(p.src);
  const dst = addr(p.dst);
  const v6 = src.length === 16;
  const t = transport(p, v6);
  if (!v6) {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h.writeUInt16BE(20 + t.bytes.length, 2);
    h[8] = 64;
    h[9] = t.proto;
    src.copy(h, 12);
    dst.copy(h, 16);
    return Buffer.concat([h, t.bytes]);
  }
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(t.bytes.length, 4);
  h[6] = t.proto;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, t.bytes]);
}

export function frame(link: Link, p: TestPacket): Buffer {
  const ip = ipPacket(p);
  const etherType = (ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800;
  switch (link) {
    case 'ethernet': {
      const h = Buffer.alloc(14);
      Buffer.from('0242ac110002', 'hex').copy(h, 0);
      Buffer.from('0242ac110003', 'hex').copy(h, 6);
      h.writeUInt16BE(etherType, 12);
      return Buffer.concat([h, ip]);
    }
    case 'sll': {
      const h = Buffer.alloc(16);
      h.writeUInt16BE(0, 0);
      h.writeUInt16BE(1, 2);
      h.writeUInt16BE(6, 4);
      h.writeUInt16BE(etherType, 14);
      return Buffer.concat([h, ip]);
    }
    case 'sll2': {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(etherType, 0);
      h.writeUInt32BE(2, 4);
      h.writeUInt16BE(1, 8);
      h[11] = 6;
      return Buffer.concat([h, ip]);
    }
    case 'raw':
      return ip;
  }
}

export function pcapFile(link: Link, packets: readonly TestPacket[], opts: { nano?: boolean; bigEndian?: boolean } = {}): Buffer {
  const be = opts.bigEndian === true;
  const u32 = (b: Buffer, v: number, o: number): void => {
    if (be) b.writeUInt32BE(v, o);
    else b.writeUInt32LE(v, o);
  };
  const g = Buffer.alloc(24);
  u32(g, opts.nano === true ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  if (be) {
    g.writeUInt16BE(2, 4);
    g.writeUInt16BE(4, 6);
  } else {
    g.writeUInt16LE(2, 4);
    g.writeUInt16LE(4, 6);
  }
  u32(g, 65535, 16);
  u32(g, LINK[link], 20);
  const parts: Buffer[] = [g];
  for (const p of packets) {
    const f = frame(link, p);
    const h = Buffer.alloc(16);
    u32(h, Math.floor(p.timeMs / 1000), 0);
    u32(h, (p.timeMs % 1000) * (opts.nano === true ? 1_000_000 : 1000), 4);
    u32(h, f.length, 8);
    u32(h, f.length, 12);
    parts.push(h, f);
  }
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/** A pcapng capture (little-endian): one section, one interface; `tsresol` 9 = nanoseconds (default: 6, microseconds). */
export function pcapngFile(link: Link, packets: readonly TestPacket[], opts: { tsresol?: number } = {}): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idbParts = [Buffer.alloc(8)];
  idbParts[0]?.writeUInt16LE(LINK[link], 0);
  idbParts[0]?.writeUInt32LE(65535, 4);
  if (opts.tsresol !== undefined) {
    const opt = Buffer.alloc(8);
    opt.writeUInt16LE(9, 0);
    opt.writeUInt16LE(1, 2);
    opt[4] = opts.tsresol;
    idbParts.push(opt, Buffer.alloc(4));
  }
  const perMs = 10 ** (opts.tsresol ?? 6) / 1000;
  const parts = [block(0x0a0d0d0a, shb), block(1, Buffer.concat(idbParts))];
  for (const p of packets) {
    const f = frame(link, p);
    const h = Buffer.alloc(20);
    const units = BigInt(p.timeMs) * BigInt(perMs);
    h.writeUInt32LE(0, 0);
    h.writeUInt32LE(Number(units >> 32n), 4);
    h.writeUInt32LE(Number(units & 0xffffffffn), 8);
    h.writeUInt32LE(f.length, 12);
    h.writeUInt32LE(f.length, 16);
    parts.push(block(6, Buffer.concat([h, f])));
  }
  return Buffer.concat(parts);
}
