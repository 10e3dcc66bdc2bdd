/**
 * Classic libpcap files (tcpdump.org/manpages/pcap-savefile.5):
 *
 *   global header, 24 bytes: magic, version major/minor, thiszone, sigfigs,
 *     snaplen, network (link type in the low 16 bits);
 *     magic A1B2C3D4 = microsecond, A1B23C4D = nanosecond timestamps,
 *     written in the capturing host's byte order (so read both orders).
 *   per packet, 16 bytes: ts_sec, ts_usec (or ts_nsec), incl_len, orig_len,
 *     then incl_len bytes of frame.
 */
import type { FrameSink } from './frames.ts';

export const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
/** A record longer than this cannot be a real frame: the file is corrupt from here on. */
const MAX_FRAME = 256 * 1024;

export class PcapReader {
  #little = true;
  #nano = false;
  #linkType = -1;

  /** Reads whole records from `buf`; returns the bytes consumed, or a reason when the file cannot be read on. */
  read(buf: Buffer, sink: FrameSink): number | { consumed: number; fatal: string } {
    let at = 0;
    if (this.#linkType < 0) {
      if (buf.length < 24) return 0;
      const magic = buf.readUInt32BE(0);
      this.#little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
      this.#nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      this.#linkType = (this.#little ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0xffff;
      at = 24;
    }
    const le = this.#little;
    const divisor = this.#nano ? 1e6 : 1e3;
    const u32 = le ? u32le : u32be;
    while (at + 16 <= buf.length) {
      const sec = u32(buf, at);
      const frac = u32(buf, at + 4);
      const incl = u32(buf, at + 8);
      if (incl > MAX_FRAME) return { consumed: at, fatal: `corrupt record header (captured length ${incl})` };
      if (at + 16 + incl > buf.length) break;
      sink.frame(this.#linkType, sec * 1000 + Math.floor(frac / divisor), buf, at + 16, at + 16 + incl);
      at += 16 + incl;
    }
    return at;
  }
}

// Bytes read directly: Buffer's readUInt32LE checks its arguments on every
// call, and was a tenth of the pcap parse time. The caller has checked that
// the bytes are in `buf` (were one not, it would read as 0 rather than throw).
export function u32le(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

export function u32be(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}
