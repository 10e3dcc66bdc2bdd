import type { ConnectionBatch, ConnectionEvent } from '../common/avro/generated-types.ts';

/** The record key of a (protocol, port): lower-case protocol, a slash, the port. E.g. "tcp/445". */
export function portKey(protocol: string, port: number): string {
  return `${protocol.toLowerCase()}/${port}`;
}

export interface KeyedBatch {
  readonly key: string;
  readonly batch: ConnectionBatch;
}

/**
 * Groups events by (protocol, destination port) and cuts each group into
 * batches of at most `maxEvents`: one Kafka record per batch, keyed so that a
 * port's events all land in one partition, in order.
 */
export function toBatches(sensorId: string, events: readonly ConnectionEvent[], maxEvents: number): KeyedBatch[] {
  const groups = new Map<string, ConnectionEvent[]>();
  for (const e of events) {
    const key = portKey(e.protocol, e.dstPort);
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(e);
  }
  const out: KeyedBatch[] = [];
  for (const [key, group] of groups) {
    for (let i = 0; i < group.length; i += maxEvents) {
      out.push({ key, batch: { sensorId, events: group.slice(i, i + maxEvents) } });
    }
  }
  return out;
}
