import type { ConnectionBatch, ConnectionEvent } from '../common/avro/generated-types.ts';

/** The record key of a (protocol, port): lower-case protocol, a slash, the port. E.g. "tcp/445". */
export function portKey(protocol: string, port: number): string {
  return `${protocol.toLowerCase()}/${port}`;
}

export interface KeyedBatch {
  readonly key: string;
  readonly batch: ConnectionBatch;
}

const PROTOCOL_INDEX: Readonly<Record<string, number>> = { TCP: 0, UDP: 1, ICMP: 2 };

/** A (protocol, port) as one number: protocol index × 65,536 + port. */
export function portNumber(protocol: string, port: number): number {
  return (PROTOCOL_INDEX[protocol.toUpperCase()] ?? 3) * 65536 + port;
}

/**
 * Hot ports (detector README, "Scale and hot ports"): their events are
 * published under `split` sub-keys `tcp/445#k/split`, k = subKeyOf(source),
 * so that several detector instances count the port in parallel.
 */
export interface HotPorts {
  /** `portNumber` of each hot port. */
  readonly ports: ReadonlySet<number>;
  readonly split: number;
}

/**
 * The sub-key of a source: FNV-1a (32 bit) of its address text, mod `split`.
 * Deterministic across runs and sensors, so a source is always in one
 * sub-key and its per-source tallies are whole in one detector instance.
 * Every sensor must use the same hash and split (changing either moves sources).
 */
export function subKeyOf(source: string, split: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  return (h >>> 0) % split;
}

/** The record key of sub-key k of a hot port: "tcp/445#3/8". */
export function subKey(protocol: string, port: number, k: number, split: number): string {
  return `${portKey(protocol, port)}#${k}/${split}`;
}

/**
 * Groups events by (protocol, destination port) and cuts each group into
 * batches of at most `maxEvents`: one Kafka record per batch, keyed so that a
 * port's events all land in one partition, in order. Groups are found by a
 * number (protocol × 65536 + port): building the key text per event was the
 * sensor's hottest allocation. Events of a `hot` port are grouped, and keyed,
 * per sub-key.
 */
export function toBatches(sensorId: string, events: readonly ConnectionEvent[], maxEvents: number, hot?: HotPorts): KeyedBatch[] {
  const groups = new Map<number, ConnectionEvent[]>();
  for (const e of events) {
    let id = (PROTOCOL_INDEX[e.protocol] ?? 3) * 65536 + e.dstPort;
    // A hot port's sub-key k gets group id + (k + 1) × 2^18 (ports take 4 × 2^16 = 2^18 ids).
    if (hot?.ports.has(id) === true) id += (subKeyOf(e.srcIp, hot.split) + 1) * 262144;
    let group = groups.get(id);
    if (group === undefined) {
      group = [];
      groups.set(id, group);
    }
    group.push(e);
  }
  const out: KeyedBatch[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (first === undefined) continue;
    const k = hot?.ports.has(portNumber(first.protocol, first.dstPort)) === true ? subKeyOf(first.srcIp, hot.split) : undefined;
    const key = k === undefined ? portKey(first.protocol, first.dstPort) : subKey(first.protocol, first.dstPort, k, hot?.split ?? 1);
    for (let i = 0; i < group.length; i += maxEvents) {
      out.push({ key, batch: { sensorId, events: group.length <= maxEvents ? group : group.slice(i, i + maxEvents) } });
    }
  }
  return out;
}
