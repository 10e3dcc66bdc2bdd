/**
 * `portent topic dump TOPIC`: every record of a Portent topic, decoded, as
 * NDJSON on stdout: `{ topic, partition, offset, timestamp, key, headers,
 * value }`. Avro topics are decoded with their codec; the detector's
 * checkpoints are JSON; dead letters keep their original bytes (base64).
 * It reads from the oldest record to the end at start and exits (`--follow`
 * keeps reading). On a terminal, stderr shows progress: records, records/s, ETA.
 */
import { randomUUID } from 'node:crypto';
import { advisoryCodec, alertCodec, connectionBatchCodec, deliveryAttemptCodec, deliveryTaskCodec, portPartialCodec, portStatsCodec, silenceCodec, subscriptionCodec } from '../services/common/avro/codecs.ts';
import type { InRecord, KafkaTransport } from '../services/common/kafka/transport.ts';
import { CliError } from './client.ts';
import type { Out } from './output.ts';
import { Progress } from './progress.ts';

type Decode = (value: Buffer) => unknown;

/** Decoders by topic name without prefix and version. */
const DECODERS: Readonly<Record<string, Decode>> = {
  'connections': (v) => connectionBatchCodec.decode(v),
  'port-stats': (v) => portStatsCodec.decode(v),
  'alerts': (v) => alertCodec.decode(v),
  'subscriptions': (v) => redactSecrets(subscriptionCodec.decode(v)),
  'advisories': (v) => advisoryCodec.decode(v),
  'silences': (v) => silenceCodec.decode(v),
  'delivery-attempts': (v) => deliveryAttemptCodec.decode(v),
  'alerter-retries': (v) => deliveryTaskCodec.decode(v),
  'port-partials': (v) => portPartialCodec.decode(v),
  'detector-state': (v) => JSON.parse(v.toString('utf8')) as unknown,
  'dead-letter': (v) => v.toString('base64'),
};

/** A dump must not leak webhook signing secrets or private keys into a terminal or a file. */
function redactSecrets(value: object): object {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, /secret|private|routingKey/i.test(k) && v !== null ? '(redacted)' : v]));
}

export function decoderFor(topic: string): Decode {
  const name = /([a-z-]+)\.v\d+$/.exec(topic)?.[1];
  const decode = name === undefined ? undefined : DECODERS[name];
  if (decode === undefined) throw new CliError(`${topic} is not a Portent topic (known: ${Object.keys(DECODERS).map((n) => `<prefix>${n}.v1`).join(', ')})`, 2);
  return decode;
}

export function recordJson(r: InRecord, decode: Decode): Record<string, unknown> {
  let value: unknown = null;
  let error: string | undefined;
  if (r.value !== null) {
    try {
      value = decode(r.value);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      value = r.value.toString('base64');
    }
  }
  return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, headers: r.headers, value, ...(error === undefined ? {} : { error }) };
}

export async function dumpTopic(transport: KafkaTransport, out: Out, topic: string, opts: { follow: boolean; limit?: number | undefined }, signal: AbortSignal): Promise<number> {
  const decode = decoderFor(topic);
  const ends = await transport.endOffsets(topic);
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const total = [...ends.values()].reduce((sum, e) => sum + Number(e), 0);
  const progress = new Progress(total, 'records');
  let written = 0;
  const { promise, resolve } = Promise.withResolvers<undefined>();
  const done = (): boolean => (!opts.follow && pending.size === 0) || (opts.limit !== undefined && written >= opts.limit);
  if (done()) resolve(undefined);
  const consumer = transport.consumer({ groupId: `portent-cli-${randomUUID()}`, topics: [topic], fromBeginning: true, commitOffsets: false });
  signal.addEventListener('abort', () => { resolve(undefined); });
  void consumer.run((batch) => {
    for (const r of batch.records) {
      if (done()) break;
      out.data(recordJson(r, decode));
      written++;
      if (BigInt(r.offset) + 1n >= (ends.get(r.partition) ?? 0n)) pending.delete(r.partition);
    }
    progress.update(written);
    if (done()) resolve(undefined);
    return Promise.resolve();
  });
  await promise;
  progress.finish();
  await consumer.close();
  return written;
}
