/**
 * A streaming reader of packet captures (pcap or pcapng, told apart by the
 * first four bytes), fed chunk by chunk from a file, a gunzip stream or
 * tcpdump's stdout. Frames become connection attempts (attempts.ts); bad
 * frames are skipped and counted with their packet number; a capture that
 * ends mid-record ends cleanly with a note.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import type { InputReport } from '../report.ts';
import { AttemptTracker } from './attempts.ts';
import { decodeFrame, emptyPacket } from './packet.ts';
import { PCAP_MAGICS, PcapReader } from './pcap.ts';
import { PcapngReader } from './pcapng.ts';

export interface FrameSink {
  /** A frame: data[from..to) (a range, not a view: one Buffer object per frame was measurable). */
  frame(linkType: number, timeMs: number, data: Uint8Array, from: number, to: number): void;
  skip(reason: string): void;
}

type Reader = PcapReader | PcapngReader;

/** How much of a new chunk is joined to the remainder of the last one: more than a frame, far less than a chunk. */
const JOIN_BYTES = 16 * 1024;

export class CaptureStream {
  readonly #report: InputReport;
  readonly #tracker = new AttemptTracker();
  #reader: Reader | undefined;
  #rest: Buffer = Buffer.alloc(0);
  #packets = 0;
  #stopped = false;
  #out: ConnectionEvent[] = [];
  readonly #sink: FrameSink;
  readonly #packet = emptyPacket();

  constructor(report: InputReport) {
    this.#report = report;
    this.#sink = {
      frame: (linkType, timeMs, data, from, to) => {
        this.#packets++;
        const skip = decodeFrame(linkType, data, from, to, this.#packet);
        if (skip !== undefined) {
          if (skip !== 'not IP' && skip !== 'not TCP, UDP or ICMP') this.#report.skip(skip, `packet ${this.#packets}`, hex(data.subarray(from, to)));
          return;
        }
        const before = this.#out.length;
        this.#tracker.packet(this.#packet, timeMs, this.#out);
        this.#report.read += this.#out.length - before;
      },
      skip: (reason) => {
        this.#packets++;
        this.#report.skip(reason, `packet ${this.#packets}`);
      },
    };
  }

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Buffer): ConnectionEvent[] {
    if (this.#stopped) return [];
    const rest = this.#rest;
    if (rest.length === 0) {
      this.#feed(chunk);
      return this.#take();
    }
    // The record cut by the last chunk boundary is completed from this chunk's
    // head: copying the whole chunk behind the remainder cost a copy of every byte.
    const head = Math.min(chunk.length, JOIN_BYTES);
    const consumed = this.#feed(Buffer.concat([rest, chunk.subarray(0, head)]));
    if (consumed >= rest.length) this.#feed(chunk.subarray(consumed - rest.length));
    else if (consumed >= 0 && head < chunk.length) this.#feed(Buffer.concat([rest, chunk]));
    return this.#take();
  }

  /** Reads the records of `buf` (keeping an incomplete last one as the remainder); the bytes consumed, or -1 once stopped. */
  #feed(buf: Buffer): number {
    if (this.#stopped) return -1;
    if (this.#reader === undefined) {
      if (buf.length < 4) {
        this.#rest = buf;
        return 0;
      }
      const magic = buf.readUInt32BE(0);
      if (magic === 0x0a0d0d0a) this.#reader = new PcapngReader();
      else if (PCAP_MAGICS.has(magic)) this.#reader = new PcapReader();
      else {
        this.#stop(`not a pcap or pcapng capture (first bytes ${buf.subarray(0, 4).toString('hex')})`);
        return -1;
      }
    }
    const r = this.#reader.read(buf, this.#sink);
    if (typeof r !== 'number') {
      this.#stop(`${r.fatal} after packet ${this.#packets}: stopped reading`);
      return -1;
    }
    this.#rest = buf.subarray(r);
    return r;
  }

  /** End of input: pending attempts come out; an incomplete last record is reported, not thrown. */
  end(): ConnectionEvent[] {
    if (!this.#stopped && this.#rest.length > 0) {
      this.#report.note(`truncated capture: ${this.#rest.length} bytes of an incomplete record after packet ${this.#packets} ignored`);
    }
    const before = this.#out.length;
    this.#tracker.flush(this.#out);
    this.#report.read += this.#out.length - before;
    this.#rest = Buffer.alloc(0);
    return this.#take();
  }

  #stop(message: string): void {
    this.#stopped = true;
    this.#rest = Buffer.alloc(0);
    this.#report.note(message);
  }

  #take(): ConnectionEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

function hex(data: Uint8Array): string {
  return Buffer.from(data.subarray(0, 32)).toString('hex');
}
