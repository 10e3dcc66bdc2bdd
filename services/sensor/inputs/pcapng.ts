/**
 * pcapng files (IETF draft-ietf-opsawg-pcapng). A file is a list of blocks:
 *
 *   block type (4) | block total length (4) | body | block total length (4)
 *
 * - Section Header Block, type 0A0D0D0A: byte-order magic 1A2B3C4D at offset
 *   8 sets the byte order of the whole section; a new section resets the
 *   interfaces.
 * - Interface Description Block, type 1: link type (2), reserved (2),
 *   snaplen (4), options; option 9 if_tsresol: high bit 0 -> 10^-v s,
 *   high bit 1 -> 2^-v s; default 10^-6.
 * - Enhanced Packet Block, type 6: interface id (4), timestamp high (4),
 *   low (4), captured length (4), original length (4), data.
 * - Obsolete Packet Block, type 2: as EPB but a 2-byte interface id.
 * - Simple Packet Block, type 3: original length (4), data; no timestamp,
 *   so it cannot make an event (counted, skipped).
 * Other blocks (name resolution, statistics, custom) are skipped.
 */
import type { FrameSink } from './frames.ts';
import { u32be, u32le } from './pcap.ts';

interface Interface {
  readonly linkType: number;
  /** Timestamp units per millisecond. */
  readonly unitsPerMs: number;
}

const MAX_BLOCK = 16 * 1024 * 1024;

export class PcapngReader {
  #little = true;
  #interfaces: Interface[] = [];

  read(buf: Buffer, sink: FrameSink): number | { consumed: number; fatal: string } {
    let at = 0;
    while (at + 12 <= buf.length) {
      const type = buf.readUInt32LE(at);
      if (type === 0x0a0d0d0a) {
        const bom = buf.readUInt32LE(at + 8);
        if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) return { consumed: at, fatal: 'bad section header byte-order magic' };
        this.#little = bom === 0x1a2b3c4d;
        this.#interfaces = [];
      }
      // A function chosen per block, not a closure made per block.
      const u32 = this.#little ? u32le : u32be;
      const len = u32(buf, at + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) return { consumed: at, fatal: `corrupt block length ${len}` };
      if (at + len > buf.length) break;
      const blockType = u32(buf, at);
      if (blockType === 1) this.#interfaces.push(this.#interface(buf, at, len));
      else if (blockType === 6 || blockType === 2) this.#packet(buf, at, len, blockType === 2, sink);
      else if (blockType === 3) sink.skip('simple packet block without time');
      at += len;
    }
    return at;
  }

  #interface(buf: Buffer, at: number, len: number): Interface {
    const u16 = (o: number): number => (this.#little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const linkType = u16(at + 8);
    let unitsPerMs = 1000;
    for (let o = at + 16; o + 4 <= at + len - 4; ) {
      const code = u16(o);
      const olen = u16(o + 2);
      if (code === 0) break;
      if (code === 9 && olen >= 1) {
        const v = buf[o + 4] ?? 6;
        const perSecond = (v & 0x80) !== 0 ? 2 ** (v & 0x7f) : 10 ** v;
        unitsPerMs = perSecond / 1000;
      }
      o += 4 + Math.ceil(olen / 4) * 4;
    }
    return { linkType, unitsPerMs };
  }

  #packet(buf: Buffer, at: number, len: number, obsolete: boolean, sink: FrameSink): void {
    const u32 = this.#little ? u32le : u32be;
    const id = obsolete ? (this.#little ? buf.readUInt16LE(at + 8) : buf.readUInt16BE(at + 8)) : u32(buf, at + 8);
    const iface = this.#interfaces[id];
    if (iface === undefined) {
      sink.skip('packet for an undeclared interface');
      return;
    }
    const captured = u32(buf, at + 20);
    if (len < 32 || 28 + captured > len - 4) {
      sink.skip('corrupt packet block');
      return;
    }
    sink.frame(iface.linkType, toMs(u32(buf, at + 12), u32(buf, at + 16), iface.unitsPerMs), buf, at + 28, at + 28 + captured);
  }
}

/** high:low timestamp units -> epoch ms. Nanosecond stamps pass 2^53: they are divided exactly, as BigInt. */
function toMs(high: number, low: number, unitsPerMs: number): number {
  const units = high * 4294967296 + low;
  if (units <= Number.MAX_SAFE_INTEGER || !Number.isInteger(unitsPerMs)) return Math.floor(units / unitsPerMs);
  return Number(((BigInt(high) << 32n) | BigInt(low)) / BigInt(unitsPerMs));
}
