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
import type { FrameSink } from './capture.ts';

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
    while (at + 16 <= buf.length) {
      const sec = le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
      const frac = le ? buf.readUInt32LE(at + 4) : buf.readUInt32BE(at + 4);
      const incl = le ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
      if (incl > MAX_FRAME) return { consumed: at, fatal: `corrupt record header (captured length ${incl})` };
      if (at + 16 + incl > buf.length) break;
      sink.frame(this.#linkType, sec * 1000 + Math.floor(frac / divisor), buf, at + 16, at + 16 + incl);
      at += 16 + incl;
    }
    return at;
  }
}
