/**
 * One chaos run: a scenario published as sensors would send it (a minute of
 * events at a time, paced), detector processes killed with SIGKILL while it
 * arrives, each replaced at once; then every alert state on the alerts topic
 * is compared with the undisturbed run of the same log (reference.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connectionBatchCodec, alertCodec } from '../../services/common/avro/codecs.ts';
import { topicNames, topicSpecs } from '../../services/common/kafka/topics.ts';
import type { InRecord, KafkaTransport, RecordProducer } from '../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../services/detector/config.ts';
import { toBatches } from '../../services/sensor/batching.ts';
import { SCENARIOS, scenarioMinute } from '../../services/sensor/scenarios/generate.ts';
import { pickFreePort } from '../local-kafka/config.ts';
import { startService, waitForHttp } from '../demo/processes.ts';
import { stateKey, undisturbedRun } from './reference.ts';

export interface KillsResult {
  readonly scenario: string;
  readonly kills: number;
  /** Alert states (webhook-ids) of the undisturbed run. */
  readonly states: number;
  readonly lost: number;
  /** States sent more than once, all copies identical. */
  readonly duplicated: number;
  /** States whose content differs from the undisturbed run's (or between copies). */
  readonly changed: number;
  /** Longest time from a kill until the successor restored a partition (took over), in seconds. */
  readonly takeoverSeconds: number;
}

const START = Date.parse('2026-11-27T08:00:00Z');
const SENSORS = 4;

export interface KillsOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly brokers: readonly string[];
  readonly scenario: string;
  readonly logDir: string;
  /** Fractions of the scenario's minutes at which the running detector is killed. */
  readonly killAt: readonly number[];
}

export async function detectorKills(o: KillsOptions): Promise<KillsResult> {
  const scenario = SCENARIOS[o.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${o.scenario}`);
  const prefix = `chaos-${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  await o.transport.ensureTopics(topicSpecs(topics, 3), 1);
  // Default settings but a 6 s session, so a successor takes over without waiting 30 s for the killed member.
  const env = { ...process.env, KAFKA_BROKERS: o.brokers.join(','), PORTENT_TOPIC_PREFIX: prefix, PORTENT_DETECTOR_GROUP_ID: `chaos-${randomUUID().slice(0, 8)}`, PORTENT_DETECTOR_SESSION_TIMEOUT_MS: '6000', PORTENT_LOG_LEVEL: 'info' };
  const killMinutes = o.killAt.map((f) => Math.floor(f * scenario.minutes));
  let detector = await startDetector(`${o.scenario}-0`, env, o.logDir);
  const kills: { at: number; successorLog: string }[] = [];
  for (let minute = 0; minute < scenario.minutes; minute++) {
    const records = [];
    for (let s = 0; s < SENSORS; s++) {
      const mine = scenarioMinute(scenario, 1, START, minute).filter((e) => sensorOf(e.dstIp) === s);
      for (const b of toBatches(`sensor-${s}`, mine, 500)) records.push({ key: b.key, value: connectionBatchCodec.encode(b.batch) });
    }
    await o.producer.send(topics.connections, records);
    if (killMinutes.includes(minute)) {
      const at = Date.now();
      await detector.kill();
      detector = await startDetector(`${o.scenario}-${kills.length + 1}`, env, o.logDir);
      kills.push({ at, successorLog: detector.logFile });
    }
    // Paced like a sensor sending each minute's events (at ~150× real time), so batches keep coming between checkpoints.
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  const connections = await readAll(o.transport, topics.connections);
  const reference = undisturbedRun(connections, loadDetectorConfig(env).detector, 3).alerts;
  const want = new Map(reference.map((a) => [stateKey(a), alertCodec.encode(a)]));
  const alerts = await readAll(o.transport, topics.alerts, (rs) => new Set(rs.map((r) => stateKey(alertCodec.decode(r.value ?? Buffer.alloc(0))))).size >= want.size);
  await detector.stop();
  const takeovers = kills.map((k) => (firstRestore(k.successorLog) - k.at) / 1000);
  return { scenario: o.scenario, kills: kills.length, states: want.size, ...compare(want, alerts), takeoverSeconds: Math.max(0, ...takeovers) };
}

function compare(want: ReadonlyMap<string, Buffer>, alerts: readonly InRecord[]): { lost: number; duplicated: number; changed: number } {
  const copies = new Map<string, Buffer[]>();
  for (const r of alerts) {
    const key = stateKey(alertCodec.decode(r.value ?? Buffer.alloc(0)));
    copies.set(key, [...(copies.get(key) ?? []), r.value ?? Buffer.alloc(0)]);
  }
  let duplicated = 0;
  let changed = 0;
  for (const [key, values] of copies) {
    const reference = want.get(key);
    if (reference === undefined || values.some((v) => !v.equals(reference))) changed += 1;
    else if (values.length > 1) duplicated += 1;
  }
  return { lost: [...want.keys()].filter((k) => !copies.has(k)).length, duplicated, changed };
}

/** Each sensor watches its own slice of the monitored space (by a hash of the destination), so breadth across sensors is real. */
function sensorOf(ip: string): number {
  let h = 0;
  for (let i = 0; i < ip.length; i++) h = (Math.imul(h, 31) + ip.charCodeAt(i)) >>> 0;
  return h % SENSORS;
}

interface Detector {
  readonly logFile: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function startDetector(name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<Detector> {
  const healthPort = await pickFreePort();
  const service = startService('detector', { ...env, PORTENT_DETECTOR_HEALTH_PORT: String(healthPort) }, logDir, name);
  let alive = true;
  void service.exited.then(() => {
    alive = false;
  });
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, 60_000, () => alive);
  return { logFile: service.logFile, kill: () => service.kill(), stop: () => service.stop() };
}

/** When the successor first restored a partition (it took over), from its JSON log; never: infinity. */
function firstRestore(logFile: string): number {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"msg":"partition state restored"')) continue;
    return (JSON.parse(line) as { time: number }).time;
  }
  return Number.POSITIVE_INFINITY;
}

/** Reads a topic from the start until `done` (default: its end offsets when called) holds. */
async function readAll(transport: KafkaTransport, topic: string, done?: (records: InRecord[]) => boolean): Promise<InRecord[]> {
  const ends = await transport.endOffsets(topic);
  const total = [...ends.values()].reduce((a, b) => a + Number(b), 0);
  const enough = done ?? ((rs: InRecord[]) => rs.length >= total);
  const records: InRecord[] = [];
  const reader = transport.consumer({ groupId: `chaos-reader-${randomUUID().slice(0, 8)}`, topics: [topic], fromBeginning: true, commitOffsets: false });
  const { promise, resolve } = Promise.withResolvers<undefined>();
  const timer = setTimeout(() => { resolve(undefined); }, 180_000);
  await reader.run((batch) => {
    records.push(...batch.records);
    if (enough(records)) resolve(undefined);
    return Promise.resolve();
  });
  await promise;
  clearTimeout(timer);
  await reader.close();
  return records;
}
