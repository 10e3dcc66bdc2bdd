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
import { dstText, srcText, TCP_ACK, TCP_RST, TCP_SYN } from './packet.ts';
import type { Packet } from './packet.ts';

/** A SYN not answered within this much capture time stays an ATTEMPT (answers come within an RTT; retransmits after 1 s, 3 s). */
const ANSWER_WAIT_MS = 3_000;
const UDP_FLOW_MS = 60_000;
/** Bounds memory on a SYN flood: beyond it the oldest waiting attempt is emitted as ATTEMPT. */
const MAX_WAITING = 200_000;
/** The pending table's initial size (it doubles as needed, up to about MAX_WAITING). */
const MIN_SLOTS = 1024;

interface Entry {
  readonly event: ConnectionEvent;
  /** The tupleKey of an undecided TCP attempt; -1 once decided (and for UDP and ICMP). */
  key: number;
  /** The next undecided attempt in the same slot of the pending table. */
  next: Entry | undefined;
  /** The packet's address numbers (Packet.srcHash, dstHash), so an answer is matched without address text. */
  readonly srcHash: number;
  readonly dstHash: number;
  readonly v6: boolean;
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

/**
 * Whether the attempt `e` is from p's source to p's destination (`reverse`:
 * from p's destination to p's source, as its answer is). IPv4 address numbers
 * are the addresses; IPv6 ones are hashes, so there the text decides.
 */
function sameTuple(e: Entry, p: Packet, reverse: boolean): boolean {
  const ev = e.event;
  if (e.v6 !== p.v6) return false;
  if (reverse) {
    if (e.srcHash !== p.dstHash || e.dstHash !== p.srcHash || ev.srcPort !== p.dstPort || ev.dstPort !== p.srcPort) return false;
    return !p.v6 || (ev.srcIp === dstText(p) && ev.dstIp === srcText(p));
  }
  if (e.srcHash !== p.srcHash || e.dstHash !== p.dstHash || ev.srcPort !== p.srcPort || ev.dstPort !== p.dstPort) return false;
  return !p.v6 || (ev.srcIp === srcText(p) && ev.dstIp === dstText(p));
}

export class AttemptTracker {
  /**
   * Undecided TCP attempts: a hash table of tupleKey & (size - 1), entries of
   * a slot chained through `next`. Not a Map: its get/set/delete on every SYN
   * and answer were the largest share of the tracker's time.
   */
  #slots: (Entry | undefined)[] = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
  #pending = 0;
  readonly #udp = new Map<string, number>();
  #queue: Entry[] = [];
  #head = 0;
  #sweepCounter = 0;

  /** Feeds one packet seen at `timeMs`; pushes events that are due, in capture order, to `out`. */
  packet(p: Packet, timeMs: number, out: ConnectionEvent[]): void {
    if (p.protocol === 'TCP') this.#tcp(p, timeMs);
    else if (p.protocol === 'UDP') this.#udpPacket(p, timeMs);
    else if (p.echo) this.#queue.push(newEntry(p, timeMs, -1, undefined));
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
    this.#slots = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
    this.#pending = 0;
    this.#udp.clear();
  }

  #tcp(p: Packet, timeMs: number): void {
    const syn = (p.flags & TCP_SYN) !== 0;
    const ack = (p.flags & TCP_ACK) !== 0;
    if (syn && !ack) {
      const key = tupleKey(p.srcHash, p.srcPort, p.dstHash, p.dstPort);
      const slot = key & (this.#slots.length - 1);
      const head = this.#slots[slot];
      for (let e = head; e !== undefined; e = e.next) if (sameTuple(e, p, false)) return;
      const attempt = newEntry(p, timeMs, key, head);
      this.#slots[slot] = attempt;
      this.#queue.push(attempt);
      if (++this.#pending > this.#slots.length) this.#grow();
      return;
    }
    if ((syn && ack) || (p.flags & TCP_RST) !== 0) {
      const key = tupleKey(p.dstHash, p.dstPort, p.srcHash, p.srcPort);
      let entry = this.#slots[key & (this.#slots.length - 1)];
      while (entry !== undefined && !sameTuple(entry, p, true)) entry = entry.next;
      if (entry === undefined) return;
      this.#unpend(entry);
      entry.event.outcome = syn ? 'ESTABLISHED' : 'REJECTED';
    }
  }

  /** Takes a decided or timed-out attempt out of the pending map (and out of its key's chain). */
  #unpend(entry: Entry): void {
    const key = entry.key;
    if (key < 0) return;
    entry.key = -1;
    this.#pending--;
    const slot = key & (this.#slots.length - 1);
    const head = this.#slots[slot];
    if (head === entry) this.#slots[slot] = entry.next;
    else {
      for (let e = head; e !== undefined; e = e.next) {
        if (e.next === entry) {
          e.next = entry.next;
          break;
        }
      }
    }
    entry.next = undefined;
  }

  /** Doubles the table once it holds more attempts than slots, so chains stay about one entry long. */
  #grow(): void {
    const old = this.#slots;
    const slots = new Array<Entry | undefined>(old.length * 2).fill(undefined);
    const mask = slots.length - 1;
    for (let head of old) {
      while (head !== undefined) {
        const next = head.next;
        head.next = slots[head.key & mask];
        slots[head.key & mask] = head;
        head = next;
      }
    }
    this.#slots = slots;
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
    this.#queue.push(newEntry(p, timeMs, -1, undefined));
  }

  /** Emits from the head while the head is decided, timed out, or the queue is over its bound. */
  #release(nowMs: number, out: ConnectionEvent[]): void {
    const q = this.#queue;
    while (this.#head < q.length) {
      const entry = q[this.#head];
      if (entry === undefined) break;
      if (entry.key >= 0) {
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

function newEntry(p: Packet, timeMs: number, key: number, next: Entry | undefined): Entry {
  const event: ConnectionEvent = { eventTime: timeMs, protocol: p.protocol, srcIp: srcText(p), srcPort: p.srcPort, dstIp: dstText(p), dstPort: p.dstPort, outcome: 'ATTEMPT' };
  return { event, key, next, srcHash: p.srcHash, dstHash: p.dstHash, v6: p.v6 };
}
