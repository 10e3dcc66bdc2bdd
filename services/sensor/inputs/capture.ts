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
  frame(linkType: number, timeMs: number, data: Uint8Array): void;
  skip(reason: string): void;
}

type Reader = PcapReader | PcapngReader;

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
      frame: (linkType, timeMs, data) => {
        this.#packets++;
        const skip = decodeFrame(linkType, data, this.#packet);
        if (skip !== undefined) {
          if (skip !== 'not IP' && skip !== 'not TCP, UDP or ICMP') this.#report.skip(skip, `packet ${this.#packets}`, hex(data));
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
    const buf = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    if (this.#reader === undefined) {
      if (buf.length < 4) {
        this.#rest = buf;
        return [];
      }
      const magic = buf.readUInt32BE(0);
      if (magic === 0x0a0d0d0a) this.#reader = new PcapngReader();
      else if (PCAP_MAGICS.has(magic)) this.#reader = new PcapReader();
      else {
        this.#stop(`not a pcap or pcapng capture (first bytes ${buf.subarray(0, 4).toString('hex')})`);
        return [];
      }
    }
    const r = this.#reader.read(buf, this.#sink);
    if (typeof r === 'number') this.#rest = buf.subarray(r);
    else this.#stop(`${r.fatal} after packet ${this.#packets}: stopped reading`);
    return this.#take();
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
