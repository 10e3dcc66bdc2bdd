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

/**
 * Groups events by (protocol, destination port) and cuts each group into
 * batches of at most `maxEvents`: one Kafka record per batch, keyed so that a
 * port's events all land in one partition, in order. Groups are found by a
 * number (protocol × 65536 + port): building the key text per event was the
 * sensor's hottest allocation.
 */
export function toBatches(sensorId: string, events: readonly ConnectionEvent[], maxEvents: number): KeyedBatch[] {
  const groups = new Map<number, ConnectionEvent[]>();
  for (const e of events) {
    const id = (PROTOCOL_INDEX[e.protocol] ?? 3) * 65536 + e.dstPort;
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
    const key = portKey(first.protocol, first.dstPort);
    for (let i = 0; i < group.length; i += maxEvents) {
      out.push({ key, batch: { sensorId, events: group.length <= maxEvents ? group : group.slice(i, i + maxEvents) } });
    }
  }
  return out;
}
