/**
 * `npm run bench -- detector`
 *
 * 1. Prepares a large connections topic on a real broker (KAFKA_BROKERS, or a
 *    local one from the Apache jars): EVENTS events in records of 500 (one
 *    sensor, one port per record, as sensors publish), over 2,000 ports with a
 *    Zipf-like mix (a few hot ports), one hour of event time.
 * 2. Raw ceiling: consume-and-discard of the same records with the same
 *    client (kafkajs through KafkaTransport). Like the pipeline (3), timed
 *    on a second pass, after an untimed one has compiled and warmed the code.
 * 3. The detector pipeline on the same topic: decode, windows, sketches,
 *    alerts, port-stats, checkpoints (every 5 s, every batch, none); events/s,
 *    and events per CPU-second of this process (= per core).
 * 4. The detector core alone (decode + ingest, no Kafka) on the same bytes.
 * 5. State memory with all 131,072 protocol/port keys active (an open window
 *    with a few sources on every TCP and UDP port), measured after GC, in a
 *    process of its own (a clean heap), printed first.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connectionBatchCodec } from '../services/common/avro/codecs.ts';
import type { ConnectionEvent } from '../services/common/avro/generated-types.ts';
import { createLogger } from '../services/common/logger.ts';
import { topicNames, topicSpecs } from '../services/common/kafka/topics.ts';
import { KafkaTransport } from '../services/common/kafka/transport.ts';
import { BatchDecoder } from '../services/detector/stream/batch-decoder.ts';
import { loadDetectorConfig } from '../services/detector/config.ts';
import { Detector } from '../services/detector/detector.ts';
import { bloomDelta, bloomRecords } from '../services/detector/stream/bloom-checkpoint.ts';
import { startDetectorPipeline } from '../services/detector/stream/pipeline.ts';
import { startLocalBroker } from '../tools/local-kafka/broker.ts';
import { systemClock } from '../services/common/clock.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 2_000_000);
/**
 * Distinct sources in the whole topic. Unset: every event comes from a new
 * source (the worst case for the sketches, scanner tables and Bloom filters).
 * Set (e.g. 50000) for traffic where sources repeat, as scanners' do.
 */
const SOURCES = Number(process.env['BENCH_SOURCES'] ?? 0);
const PER_RECORD = 500;
const T0 = Date.parse('2026-11-27T00:00:00Z');
const logger = createLogger('bench', 'silent');
const defaults = loadDetectorConfig({});
const options = defaults.detector;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function records(): Buffer[] {
  const out: Buffer[] = [];
  const n = EVENTS / PER_RECORD;
  for (let r = 0; r < n; r++) {
    // Zipf-ish: record r goes to port rank ~ 1/u; the hottest ports get most records.
    const rank = Math.min(2000, Math.floor(1 / (((r * 2654435761) >>> 0) / 2 ** 32 + 0.0005)));
    const port = 1 + ((rank * 7919) % 65535);
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < PER_RECORD; i++) {
      const k = r * PER_RECORD + i;
      const src = SOURCES > 0 ? ((k * 2654435761) >>> 0) % SOURCES : k;
      events.push({
        eventTime: T0 + Math.floor((k / EVENTS) * 3_600_000), protocol: 'TCP', srcIp: `${10 + (src % 200)}.${(src >>> 8) & 255}.${(src * 7) & 255}.${src & 255}`,
        srcPort: 40000 + (k % 20000), dstIp: `198.18.${(k * 13) & 255}.${(k >>> 3) & 255}`, dstPort: port, outcome: 'REJECTED',
      });
    }
    out.push(connectionBatchCodec.encode({ sensorId: `sensor-${r % 8}`, events }));
  }
  return out;
}

/** Prints a row and returns its events per CPU-second. */
function timed(start: number, cpu: NodeJS.CpuUsage, events: number, label: string): number {
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  process.stdout.write(`${label.padEnd(44)} ${(events / wall / 1e3).toFixed(0).padStart(6)} k events/s wall   ${(events / cpuS / 1e3).toFixed(0).padStart(6)} k events per CPU-second\n`);
  return events / cpuS;
}

async function main(): Promise<void> {
  const external = process.env['KAFKA_BROKERS'];
  const broker = external === undefined || external === '' ? await startLocalBroker() : undefined;
  const brokers = broker?.brokers ?? (external ?? '').split(',');
  try {
    const transport = new KafkaTransport({ brokers, clientId: 'bench-detector', logger });
    const topics = topicNames(`bench-${randomUUID().slice(0, 8)}.`);
    await transport.ensureTopics(topicSpecs(topics, 1), 1);
    const values = records();
    const bytes = values.reduce((s, v) => s + v.length, 0);
    process.stdout.write(`prepared ${EVENTS.toLocaleString('en')} events in ${values.length} records, ${(bytes / 2 ** 20).toFixed(0)} MiB\n`);
    const producer = await transport.producer();
    for (let i = 0; i < values.length; i += 40) await producer.send(topics.connections, values.slice(i, i + 40).map((value) => ({ key: 'tcp/x', value })));

    // Raw ceiling: the same client, consume and discard; once untimed first, so that the
    // client's code is compiled and warm in both, as it is in a detector that has run for a while.
    const consumeAll = async (): Promise<void> => {
      let seen = 0;
      const raw = transport.consumer({ groupId: `raw-${randomUUID()}`, topics: [topics.connections], fromBeginning: true, commitOffsets: false });
      const { promise: rawDone, resolve: rawResolve } = Promise.withResolvers<undefined>();
      await raw.run((batch) => {
        seen += batch.records.length;
        if (seen >= values.length) rawResolve(undefined);
        return Promise.resolve();
      });
      await rawDone;
      await raw.close();
    };
    await consumeAll();
    let start = performance.now();
    let cpu = process.cpuUsage();
    await consumeAll();
    const ceiling = timed(start, cpu, EVENTS, 'raw ceiling: consume and discard (kafkajs)');

    // The detector pipeline: checkpoints at the default cadence (each with the Bloom blocks changed since the previous one),
    // after every fetched batch, and none; and at the default cadence with a full Bloom snapshot (32 MiB here: one input
    // partition) with every checkpoint, what a delta falls back to when over half the filters changed (bloom-checkpoint.ts).
    const runs = [
      // Untimed: compiles and warms the detector's code (a short run is otherwise dominated by the first seconds' JIT work).
      { label: 'warm-up', checkpoint: true, checkpointIntervalMs: 5000 },
      { label: 'checkpoints every 5 s (default)', checkpoint: true, checkpointIntervalMs: 5000 },
      { label: 'checkpoints every 5 s, full Bloom snapshot each', checkpoint: true, checkpointIntervalMs: 5000, bloomSnapshotIntervalMs: 0 },
      { label: 'checkpoints every batch', checkpoint: true, checkpointIntervalMs: 0 },
      { label: 'checkpoints off', checkpoint: false, checkpointIntervalMs: 0 },
    ];
    for (const run of runs) {
      start = performance.now();
      cpu = process.cpuUsage();
      const { checkpoint, checkpointIntervalMs } = run;
      const bloomSnapshotIntervalMs = 'bloomSnapshotIntervalMs' in run ? run.bloomSnapshotIntervalMs : defaults.bloomSnapshotIntervalMs;
      const config = { ...defaults, detector: options, groupId: `det-${randomUUID()}`, checkpointIntervalMs, bloomSnapshotIntervalMs };
      const pipeline = startDetectorPipeline({ transport, producer, topics, config, logger, checkpoint, now: systemClock });
      await pipeline.started;
      while (pipeline.counters.events < EVENTS) await new Promise((resolve) => setTimeout(resolve, 20));
      if (run.label === 'warm-up') {
        await pipeline.close();
        continue;
      }
      const rate = timed(start, cpu, EVENTS, `detector pipeline, ${run.label}`);
      process.stdout.write(`${''.padEnd(44)} (${(rate / ceiling).toFixed(2)}× the raw ceiling per CPU-second)\n`);
      const c = pipeline.counters;
      if (checkpoint) process.stdout.write(`${''.padEnd(44)} (${c.checkpoints} checkpoints written; Bloom: ${c.bloomSnapshots} full snapshots, ${(c.bloomBytes / 2 ** 20).toFixed(1)} MiB in all)\n`);
      await pipeline.close();
    }
    await producer.close();

    // The detector core alone on the same bytes.
    const core = new Detector(options);
    const decoder = new BatchDecoder();
    start = performance.now();
    cpu = process.cpuUsage();
    for (const v of values) core.ingestBatch(0, decoder.decode(v));
    timed(start, cpu, EVENTS, 'detector core (decode + ingest, no Kafka)');
    bloomDeltaCost(values);
  } finally {
    await broker?.stop();
  }

}

/** What a checkpoint's Bloom delta costs after one fetch's worth of events (8 MiB, 200,000 events): blocks changed, bytes, time. */
function bloomDeltaCost(values: readonly Buffer[]): void {
  const fresh = new Detector(options);
  const decoder = new BatchDecoder();
  for (const v of values.slice(0, 200_000 / PER_RECORD)) fresh.ingestBatch(0, decoder.decode(v));
  const state = fresh.bloomState(0);
  if (state === undefined) return;
  const target = { groupId: 'bench', partition: 0, changelogPartition: 0 };
  const empty = bloomRecords(target, 0, 0n, state, undefined, true).manifest;
  const began = performance.now();
  const delta = bloomDelta(target, empty, state);
  const ms = performance.now() - began;
  const changed = state.changed?.reduce((n, c) => n + c, 0) ?? 0;
  const what = delta === undefined ? 'over half the filters: a full snapshot instead' : `${(delta.records.reduce((n, r) => n + (r.value?.length ?? 0), 0) / 2 ** 20).toFixed(1)} MiB in ${delta.records.length} records`;
  process.stdout.write(`Bloom delta after 200,000 events: ${changed.toLocaleString('en')} of ${state.changed?.length.toLocaleString('en') ?? '?'} blocks changed, ${what}, ${ms.toFixed(1)} ms\n`);
}

/** State memory with every TCP and UDP port active at once (in its own process: see the end of this file). */
async function stateMemory(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const before = process.memoryUsage();
  const d = new Detector(options);
  // 12 input partitions (below), each with its share of the Bloom memory, as in the pipeline.
  d.setInputPartitions(12);
  for (const protocol of ['TCP', 'UDP'] as const) {
    for (let port = 0; port < 65536; port++) {
      const events: ConnectionEvent[] = [];
      for (let s = 0; s < 4; s++) events.push({ eventTime: T0 + s, protocol, srcIp: `10.${s}.${port >>> 8}.${port & 255}`, srcPort: 1, dstIp: `198.18.0.${s}`, dstPort: port, outcome: 'ATTEMPT' });
      d.ingest(port % 12, { sensorId: 's1', events });
    }
  }
  gc();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  process.stdout.write(`state memory, ${d.ports.toLocaleString('en')} keys active (4 sources each): ${(used / 2 ** 20).toFixed(0)} MiB ` +
    `(of which Bloom filters ${(d.historyBytes / 2 ** 20).toFixed(0)} MiB; RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB)\n`);
}

// The memory probe runs in a process of its own, on a clean heap: in this one, either the timed runs'
// garbage skewed its readings (probe last) or its hundreds of MiB of heap slowed the timed runs (probe first).
if (process.env['BENCH_DETECTOR_PART'] === 'memory') {
  await stateMemory();
} else {
  const probe = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, BENCH_DETECTOR_PART: 'memory' } });
  if (probe.status !== 0) throw new Error(`memory probe exited with ${String(probe.status)}`);
  await main();
}
