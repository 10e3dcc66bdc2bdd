/**
 * Turns decoded packets into connection attempts, the way a darknet or
 * firewall sensor counts them:
 *
 * - TCP: a SYN without ACK opens an attempt. The answer decides its outcome:
 *   SYN-ACK from the target -> ESTABLISHED, RST from the target -> REJECTED,
 *   matched on the reversed 4-tuple. No answer within `answerWaitMs` of
 *   capture time -> published as ATTEMPT.
 * - A SYN of a 4-tuple seen within `retransmitWindowMs` is a retransmission
 *   of the same attempt, not a new one. The operating systems' defaults:
 *   Linux (Documentation/networking/ip-sysctl.rst, tcp_syn_retries = 6,
 *   initial RTO 1 s, doubling) resends at +1, +3, +7, +15, +31 and +63 s and
 *   gives up at +127 s; Windows (TcpInitialRTT = 3 s,
 *   TcpMaxConnectRetransmissions = 2, doubling; Microsoft's Windows Server
 *   registry reference) resends at +3 and +9 s and gives up at +21 s. The
 *   default window, 130 s, covers both schedules.
 * - An answer to the attempt or to any retransmission of it within the
 *   answer wait sets the outcome. One that comes after the attempt was
 *   published is counted (lateAnswers), not published again: a second event
 *   would count the attempt twice, and a published event cannot change.
 * - UDP: the first datagram of a flow is an attempt; later datagrams of the
 *   same flow, and replies (reversed 4-tuple), are not.
 * - ICMP: every echo request is an attempt on port 0.
 *
 * Event time is the capture time of the first SYN. Events come out in
 * capture order: an attempt waits at the head of the queue until it is
 * answered or its answer wait has passed, and the ones behind it wait too.
 * Out-of-order events would be late for the detector's windows.
 *
 * Memory: at most `maxTracked` TCP 4-tuples are remembered (each ~250 bytes
 * with its event); beyond that the oldest is forgotten (published at once as
 * ATTEMPT if still unanswered), so a SYN flood costs bounded memory, and a
 * retransmission of a forgotten attempt counts again.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { dstText, srcText, TCP_ACK, TCP_RST, TCP_SYN } from './packet.ts';
import type { Packet } from './packet.ts';
import { newEntry, TcpTable } from './tcp-table.ts';
import type { Entry } from './tcp-table.ts';

export interface TrackingOptions {
  /** Capture time an unanswered SYN waits for its answer before it is published as ATTEMPT. */
  readonly answerWaitMs: number;
  /** A SYN of a 4-tuple seen this recently (capture time) is a retransmission of the same attempt. */
  readonly retransmitWindowMs: number;
  /** Most TCP 4-tuples remembered at once (and events waiting to be published). */
  readonly maxTracked: number;
}

/** The defaults, which the config schema (config.ts) reads. */
export const DEFAULT_TRACKING: TrackingOptions = Object.freeze({ answerWaitMs: 10_000, retransmitWindowMs: 130_000, maxTracked: 200_000 });

const UDP_FLOW_MS = 60_000;

export class AttemptTracker {
  readonly #o: TrackingOptions;
  readonly #table = new TcpTable();
  /** TCP entries in the table, oldest first (expired from the head). */
  #remembered: Entry[] = [];
  #rememberedHead = 0;
  readonly #udp = new Map<string, number>();
  /** Events in capture order, published from the head. */
  #queue: Entry[] = [];
  #head = 0;
  #sweepCounter = 0;
  /** Answers that came after their attempt had been published as ATTEMPT. */
  lateAnswers = 0;
  /** SYNs that were retransmissions of an attempt already counted. */
  retransmissions = 0;

  constructor(options: TrackingOptions = DEFAULT_TRACKING) {
    this.#o = options;
  }

  /** Feeds one packet seen at `timeMs`; pushes events that are due, in capture order, to `out`. */
  packet(p: Packet, timeMs: number, out: ConnectionEvent[]): void {
    if (p.protocol === 'TCP') this.#tcp(p, timeMs);
    else if (p.protocol === 'UDP') this.#udpPacket(p, timeMs);
    else if (p.echo) this.#queue.push(newEntry(p, timeMs));
    this.#forget(timeMs);
    this.#release(timeMs, out);
    if (++this.#sweepCounter >= 4096) {
      this.#sweepCounter = 0;
      for (const [key, t] of this.#udp) {
        if (timeMs - t < UDP_FLOW_MS) break;
        this.#udp.delete(key);
      }
    }
  }

  /** End of input: every event still waiting comes out; unanswered attempts as ATTEMPT. */
  flush(out: ConnectionEvent[]): void {
    this.#release(Infinity, out);
    this.#table.clear();
    this.#remembered = [];
    this.#rememberedHead = 0;
    this.#udp.clear();
  }

  #tcp(p: Packet, timeMs: number): void {
    const syn = (p.flags & TCP_SYN) !== 0;
    const ack = (p.flags & TCP_ACK) !== 0;
    if (syn && !ack) {
      const seen = this.#table.find(p, false);
      if (seen !== undefined) {
        if (Math.abs(timeMs - seen.event.eventTime) < this.#o.retransmitWindowMs) {
          this.retransmissions++;
          return;
        }
        this.#table.remove(seen);
      }
      const attempt = newEntry(p, timeMs);
      this.#table.add(attempt);
      this.#remembered.push(attempt);
      this.#queue.push(attempt);
      return;
    }
    if ((syn && ack) || (p.flags & TCP_RST) !== 0) {
      const entry = this.#table.find(p, true);
      if (entry === undefined || entry.decided) return;
      entry.decided = true;
      if (entry.released) this.lateAnswers++;
      else entry.event.outcome = syn ? 'ESTABLISHED' : 'REJECTED';
    }
  }

  /** Forgets attempts older than the retransmission window, and the oldest beyond maxTracked. */
  #forget(nowMs: number): void {
    const r = this.#remembered;
    while (this.#rememberedHead < r.length) {
      const e = r[this.#rememberedHead];
      if (e === undefined) break;
      if (e.key >= 0 && nowMs - e.event.eventTime < this.#o.retransmitWindowMs && this.#table.size <= this.#o.maxTracked) break;
      this.#table.remove(e);
      // A forgotten attempt can no longer be answered: it is published as it stands.
      e.decided = true;
      this.#rememberedHead++;
    }
    if (this.#rememberedHead > 4096 && this.#rememberedHead * 2 > r.length) {
      this.#remembered = r.slice(this.#rememberedHead);
      this.#rememberedHead = 0;
    }
  }

  #udpPacket(p: Packet, timeMs: number): void {
    const src = srcText(p);
    const dst = dstText(p);
    const key = `${src}|${p.srcPort}|${dst}|${p.dstPort}`;
    const reply = `${dst}|${p.dstPort}|${src}|${p.srcPort}`;
    const seen = this.#udp.get(key) ?? this.#udp.get(reply);
    if (seen !== undefined && timeMs - seen < UDP_FLOW_MS) return;
    this.#udp.delete(key);
    this.#udp.set(key, timeMs);
    this.#queue.push(newEntry(p, timeMs));
  }

  /** Publishes from the head while the head is decided, past its answer wait, or the queue is over its bound. */
  #release(nowMs: number, out: ConnectionEvent[]): void {
    const q = this.#queue;
    const wait = this.#o.answerWaitMs;
    while (this.#head < q.length) {
      const entry = q[this.#head];
      if (entry === undefined) break;
      if (entry.key >= 0 && !entry.decided && nowMs - entry.event.eventTime < wait && q.length - this.#head <= this.#o.maxTracked) break;
      entry.released = true;
      out.push(entry.event);
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }
}
