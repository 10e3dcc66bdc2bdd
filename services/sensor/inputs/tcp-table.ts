/**
 * The TCP attempts the tracker (attempt-tracker.ts) remembers, by 4-tuple: a hash
 * table of integer keys whose slots chain their entries. Not a Map keyed by
 * "src|port|dst|port" text: building that text and the Map's get/set/delete
 * on every SYN and answer were the largest share of pcap input's time.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { dstText, srcText } from './packet.ts';
import type { Packet } from './packet.ts';

/** The table's initial size (it doubles as needed). */
const MIN_SLOTS = 1024;

export interface Entry {
  readonly event: ConnectionEvent;
  /** The tupleKey while the entry is in the table; -1 once out (and always for UDP and ICMP). */
  key: number;
  /** The next entry in the same slot. */
  next: Entry | undefined;
  /** An answer (SYN-ACK or RST) has come. */
  decided: boolean;
  /** The event has gone out (decided, or unanswered for the answer wait). */
  released: boolean;
  /**
   * The 4-tuple, kept here and not read from `event`: a published event's
   * destination may be replaced by its pseudonym (pipeline.ts).
   * Address numbers as in Packet.srcHash, dstHash; the text is compared only for IPv6.
   */
  readonly srcHash: number;
  readonly dstHash: number;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly v6: boolean;
}

/** A new entry for packet `p` seen at `timeMs`, its event an ATTEMPT until an answer says otherwise. */
export function newEntry(p: Packet, timeMs: number): Entry {
  const srcIp = srcText(p);
  const dstIp = dstText(p);
  const event: ConnectionEvent = { eventTime: timeMs, protocol: p.protocol, srcIp, srcPort: p.srcPort, dstIp, dstPort: p.dstPort, outcome: 'ATTEMPT' };
  return { event, key: -1, next: undefined, decided: false, released: false, srcHash: p.srcHash, dstHash: p.dstHash, srcIp, dstIp, srcPort: p.srcPort, dstPort: p.dstPort, v6: p.v6 };
}

/**
 * The key of a 4-tuple: a hash of the address numbers and ports, small
 * enough to stay an unboxed integer. A collision is told apart by comparing
 * the entry's own 4-tuple (sameTuple).
 */
function tupleKey(srcHash: number, srcPort: number, dstHash: number, dstPort: number): number {
  let h = Math.imul(srcHash ^ (srcPort << 16) ^ dstPort, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ dstHash, 0x85ebca6b);
  return (h ^ (h >>> 13)) & 0x3fffffff;
}

/**
 * Whether `e` is from p's source to p's destination (`reverse`: from p's
 * destination to p's source, as the attempt an answer answers is). IPv4
 * address numbers are the addresses; IPv6 ones are hashes, so there the
 * text decides.
 */
function sameTuple(e: Entry, p: Packet, reverse: boolean): boolean {
  if (e.v6 !== p.v6) return false;
  if (reverse) {
    if (e.srcHash !== p.dstHash || e.dstHash !== p.srcHash || e.srcPort !== p.dstPort || e.dstPort !== p.srcPort) return false;
    return !p.v6 || (e.srcIp === dstText(p) && e.dstIp === srcText(p));
  }
  if (e.srcHash !== p.srcHash || e.dstHash !== p.dstHash || e.srcPort !== p.srcPort || e.dstPort !== p.dstPort) return false;
  return !p.v6 || (e.srcIp === srcText(p) && e.dstIp === dstText(p));
}

export class TcpTable {
  #slots: (Entry | undefined)[] = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The entry of p's 4-tuple (`reverse`: of the reversed one), or undefined. */
  find(p: Packet, reverse: boolean): Entry | undefined {
    const key = reverse ? tupleKey(p.dstHash, p.dstPort, p.srcHash, p.srcPort) : tupleKey(p.srcHash, p.srcPort, p.dstHash, p.dstPort);
    let e = this.#slots[key & (this.#slots.length - 1)];
    while (e !== undefined && !sameTuple(e, p, reverse)) e = e.next;
    return e;
  }

  add(e: Entry): void {
    e.key = tupleKey(e.srcHash, e.srcPort, e.dstHash, e.dstPort);
    const slot = e.key & (this.#slots.length - 1);
    e.next = this.#slots[slot];
    this.#slots[slot] = e;
    if (++this.#size > this.#slots.length) this.#grow();
  }

  /** Takes `e` out of the table (nothing if it is not in it). */
  remove(e: Entry): void {
    const key = e.key;
    if (key < 0) return;
    e.key = -1;
    this.#size--;
    const slot = key & (this.#slots.length - 1);
    const head = this.#slots[slot];
    if (head === e) this.#slots[slot] = e.next;
    else {
      for (let x = head; x !== undefined; x = x.next) {
        if (x.next === e) {
          x.next = e.next;
          break;
        }
      }
    }
    e.next = undefined;
  }

  clear(): void {
    this.#slots = new Array<Entry | undefined>(MIN_SLOTS).fill(undefined);
    this.#size = 0;
  }

  /** Doubles the table once it holds more entries than slots, so chains stay about one entry long. */
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
}
