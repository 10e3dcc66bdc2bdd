/**
 * Turns decoded packets into connection attempts, the way a darknet or
 * firewall sensor counts them:
 *
 * - TCP: a SYN without ACK opens an attempt (a retransmitted SYN does not
 *   open another). The answer decides its outcome: SYN-ACK from the target
 *   -> ESTABLISHED, RST from the target -> REJECTED, matched on the reversed
 *   4-tuple. No answer within ANSWER_WAIT_MS of capture time -> ATTEMPT.
 * - UDP: the first datagram of a flow is an attempt; later datagrams of the
 *   same flow, and replies (reversed 4-tuple), are not.
 * - ICMP: every echo request is an attempt on port 0.
 *
 * Event time is the capture time of the first packet, from the data. Events
 * come out in capture order: an attempt waits at the head of the queue until
 * its answer (or ANSWER_WAIT_MS) has passed, and the ones behind it wait
 * too. Out-of-order events would be late for the detector's windows, whose
 * allowed lateness (10 s) is shorter than any sensible answer timeout would
 * be if attempts came out as they were decided.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { TCP_ACK, TCP_RST, TCP_SYN } from './packet.ts';
import type { Packet } from './packet.ts';

/** A SYN not answered within this much capture time stays an ATTEMPT (answers come within an RTT; retransmits after 1 s, 3 s). */
const ANSWER_WAIT_MS = 3_000;
const UDP_FLOW_MS = 60_000;
/** Bounds memory on a SYN flood: beyond it the oldest waiting attempt is emitted as ATTEMPT. */
const MAX_WAITING = 200_000;

interface Entry {
  readonly event: ConnectionEvent;
  /** The pending-map key of an undecided TCP attempt; undefined once decided. */
  key: number | undefined;
  /** The next undecided attempt whose 4-tuple has the same key (a hash collision). */
  next: Entry | undefined;
}

/**
 * The pending-map key of a TCP 4-tuple: a hash of the address numbers and
 * ports, small enough to stay an unboxed integer. Building "src|port|dst|port"
 * text for every SYN and answer was the hottest part of pcap input; a key
 * collision is told apart by comparing the entry's own 4-tuple.
 */
function tupleKey(srcHash: number, srcPort: number, dstHash: number, dstPort: number): number {
  let h = Math.imul(srcHash ^ (srcPort << 16) ^ dstPort, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ dstHash, 0x85ebca6b);
  return (h ^ (h >>> 13)) & 0x3fffffff;
}

const sameTuple = (e: ConnectionEvent, src: string, srcPort: number, dst: string, dstPort: number): boolean =>
  e.srcPort === srcPort && e.dstPort === dstPort && e.srcIp === src && e.dstIp === dst;

export class AttemptTracker {
  /** Undecided TCP attempts by tupleKey; entries with the same key are chained through `next`. */
  readonly #pending = new Map<number, Entry>();
  readonly #udp = new Map<string, number>();
  #queue: Entry[] = [];
  #head = 0;
  #sweepCounter = 0;

  /** Feeds one packet seen at `timeMs`; pushes events that are due, in capture order, to `out`. */
  packet(p: Packet, timeMs: number, out: ConnectionEvent[]): void {
    if (p.protocol === 'TCP') this.#tcp(p, timeMs);
    else if (p.protocol === 'UDP') this.#udpPacket(p, timeMs);
    else if (p.echo) this.#queue.push({ event: event(p, timeMs), key: undefined, next: undefined });
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
    this.#pending.clear();
    this.#udp.clear();
  }

  #tcp(p: Packet, timeMs: number): void {
    const syn = (p.flags & TCP_SYN) !== 0;
    const ack = (p.flags & TCP_ACK) !== 0;
    if (syn && !ack) {
      const key = tupleKey(p.srcHash, p.srcPort, p.dstHash, p.dstPort);
      const head = this.#pending.get(key);
      for (let e = head; e !== undefined; e = e.next) if (sameTuple(e.event, p.src, p.srcPort, p.dst, p.dstPort)) return;
      const entry: Entry = { event: event(p, timeMs), key, next: head };
      this.#pending.set(key, entry);
      this.#queue.push(entry);
      return;
    }
    if ((syn && ack) || (p.flags & TCP_RST) !== 0) {
      const key = tupleKey(p.dstHash, p.dstPort, p.srcHash, p.srcPort);
      let entry = this.#pending.get(key);
      while (entry !== undefined && !sameTuple(entry.event, p.dst, p.dstPort, p.src, p.srcPort)) entry = entry.next;
      if (entry === undefined) return;
      this.#unpend(entry);
      entry.event.outcome = syn ? 'ESTABLISHED' : 'REJECTED';
    }
  }

  /** Takes a decided or timed-out attempt out of the pending map (and out of its key's chain). */
  #unpend(entry: Entry): void {
    const key = entry.key;
    if (key === undefined) return;
    entry.key = undefined;
    const head = this.#pending.get(key);
    if (head === entry) {
      if (entry.next === undefined) this.#pending.delete(key);
      else this.#pending.set(key, entry.next);
    } else {
      for (let e = head; e !== undefined; e = e.next) {
        if (e.next === entry) {
          e.next = entry.next;
          break;
        }
      }
    }
    entry.next = undefined;
  }

  #udpPacket(p: Packet, timeMs: number): void {
    const key = `${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}`;
    const reply = `${p.dst}|${p.dstPort}|${p.src}|${p.srcPort}`;
    const seen = this.#udp.get(key) ?? this.#udp.get(reply);
    if (seen !== undefined && timeMs - seen < UDP_FLOW_MS) return;
    this.#udp.delete(key);
    this.#udp.set(key, timeMs);
    this.#queue.push({ event: event(p, timeMs), key: undefined, next: undefined });
  }

  /** Emits from the head while the head is decided, timed out, or the queue is over its bound. */
  #release(nowMs: number, out: ConnectionEvent[]): void {
    const q = this.#queue;
    while (this.#head < q.length) {
      const entry = q[this.#head];
      if (entry === undefined) break;
      if (entry.key !== undefined) {
        if (nowMs - entry.event.eventTime < ANSWER_WAIT_MS && q.length - this.#head <= MAX_WAITING) break;
        this.#unpend(entry);
      }
      out.push(entry.event);
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }
}

function event(p: Packet, timeMs: number): ConnectionEvent {
  return { eventTime: timeMs, protocol: p.protocol, srcIp: p.src, srcPort: p.srcPort, dstIp: p.dst, dstPort: p.dstPort, outcome: 'ATTEMPT' };
}
