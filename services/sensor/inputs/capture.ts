/**
 * A streaming reader of packet captures (pcap or pcapng, told apart by the
 * first four bytes), fed chunk by chunk from a file, a gunzip stream or
 * tcpdump's stdout. Frames become connection attempts (attempt-tracker.ts); bad
 * frames are skipped and counted with their packet number; a capture that
 * ends mid-record ends cleanly with a note.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { sensorError, SensorErrorCodes } from '../errors.ts';
import type { InputReport } from '../report.ts';
import { AttemptTracker, DEFAULT_TRACKING } from './attempt-tracker.ts';
import type { TrackingOptions } from './attempt-tracker.ts';
import type { FrameSink } from './frames.ts';
import { decodeFrame, emptyPacket } from './packet.ts';
import { PCAP_MAGICS, PcapReader } from './pcap.ts';
import { PcapngReader } from './pcapng.ts';
import { DEFAULT_ORDER, TimeOrder } from './time-order.ts';
import type { OrderOptions } from './time-order.ts';


type Reader = PcapReader | PcapngReader;

interface HeldFrame {
  readonly linkType: number;
  readonly timeMs: number;
  readonly data: Uint8Array;
  /** Its number in the file, for the report. */
  readonly number: number;
}

/** How much of a new chunk is joined to the remainder of the last one: more than a frame, far less than a chunk. */
const JOIN_BYTES = 16 * 1024;

export class CaptureStream {
  readonly #report: InputReport;
  readonly #tracker: AttemptTracker;
  #reader: Reader | undefined;
  #rest: Buffer = Buffer.alloc(0);
  #packets = 0;
  #stopped = false;
  #out: ConnectionEvent[] = [];
  readonly #sink: FrameSink;
  readonly #packet = emptyPacket();
  /** Frames held to be put in time order (reorderMs > 0): copies, since the chunk's bytes are reused. */
  readonly #order: TimeOrder<HeldFrame> | undefined;
  readonly #fromOrder = (f: HeldFrame): void => {
    this.#frame(f.linkType, f.timeMs, f.data, 0, f.data.length, f.number);
  };

  constructor(report: InputReport, tracking: TrackingOptions = DEFAULT_TRACKING, order: OrderOptions = DEFAULT_ORDER) {
    this.#report = report;
    this.#tracker = new AttemptTracker(tracking);
    this.#order = order.reorderMs > 0 ? new TimeOrder(order.reorderMs, order.reorderMax) : undefined;
    this.#sink = {
      frame: (linkType, timeMs, data, from, to) => {
        const number = ++this.#packets;
        if (this.#order === undefined) this.#frame(linkType, timeMs, data, from, to, number);
        else this.#order.push(timeMs, { linkType, timeMs, data: data.slice(from, to), number }, this.#fromOrder);
      },
      skip: (reason) => {
        this.#packets++;
        this.#report.skip(reason, `packet ${this.#packets}`);
      },
    };
  }

  /** Frame number `number` of the capture: decoded, and fed to the tracker. */
  #frame(linkType: number, timeMs: number, data: Uint8Array, from: number, to: number, number: number): void {
    const skip = decodeFrame(linkType, data, from, to, this.#packet);
    if (skip !== undefined) {
      if (skip !== 'not IP' && skip !== 'not TCP, UDP or ICMP') this.#report.skip(skip, `packet ${number}`, hex(data.subarray(from, to)));
      return;
    }
    const before = this.#out.length;
    this.#tracker.packet(this.#packet, timeMs, this.#out);
    this.#report.read += this.#out.length - before;
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
      else throw sensorError(SensorErrorCodes.INPUT_WRONG_TYPE, `not a pcap or pcapng capture (first bytes ${buf.subarray(0, 4).toString('hex')})`, { first: buf.subarray(0, 4).toString('hex') });
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
    if (!this.#stopped && this.#reader === undefined && this.#rest.length > 0) {
      throw sensorError(SensorErrorCodes.INPUT_WRONG_TYPE, `not a pcap or pcapng capture (only ${this.#rest.length} bytes)`, { bytes: this.#rest.length });
    }
    if (!this.#stopped && this.#rest.length > 0) {
      this.#report.note(`truncated capture: ${this.#rest.length} bytes of an incomplete record after packet ${this.#packets} ignored`);
    }
    this.#order?.drain(this.#fromOrder);
    const before = this.#out.length;
    const tracker = this.#tracker;
    tracker.flush(this.#out);
    this.#report.read += this.#out.length - before;
    this.#rest = Buffer.alloc(0);
    this.#report.tcp.retransmissions += tracker.retransmissions;
    this.#report.tcp.lateAnswers += tracker.lateAnswers;
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
