import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { commonConfig, commonSettings, loadConfig } from '../common/config.ts';
import type { CommonConfig, Env } from '../common/config.ts';
import { portNumber } from './batching.ts';
import type { HotPorts } from './batching.ts';
import { sensorError, SensorErrorCodes } from './errors.ts';
import { DEFAULT_TRACKING } from './inputs/attempt-tracker.ts';
import type { TrackingOptions } from './inputs/attempt-tracker.ts';
import { DEFAULT_ORDER } from './inputs/time-order.ts';
import type { OrderOptions } from './inputs/time-order.ts';
import { SCENARIOS } from './scenarios/generate.ts';
import type { Scenario } from './scenarios/generate.ts';

export const INPUT_KINDS = ['simulator', 'pcap', 'zeek', 'eve', 'netfilter', 'dshield', 'live', 'directory'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const sensorSettings = Type.Object({
  ...commonSettings,
  PORTENT_SENSOR_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Defaults to the host name' })),
  PORTENT_SENSOR_INPUT: Type.Union(INPUT_KINDS.map((k) => Type.Literal(k)), { default: 'simulator' }),
  PORTENT_SENSOR_FILE: Type.Optional(Type.String({ minLength: 1, description: 'Input file, or - for stdin (pcap, zeek, eve, netfilter, dshield); the directory of per-sensor files (directory)' })),
  PORTENT_SENSOR_FOLLOW: Type.Boolean({ default: false, description: 'Follow a growing log file like tail -F' }),
  PORTENT_SENSOR_INTERFACE: Type.Optional(Type.String({ minLength: 1, description: 'Capture interface (live)' })),
  PORTENT_SENSOR_CAPTURE_FILTER: Type.Optional(Type.String({ minLength: 1, description: 'BPF filter for live capture' })),
  PORTENT_SENSOR_TCPDUMP: Type.String({ default: 'tcpdump', minLength: 1 }),
  PORTENT_SENSOR_SCENARIO: Type.Union(Object.keys(SCENARIOS).map((s) => Type.Literal(s)), { default: 'demo' }),
  PORTENT_SENSOR_SEED: Type.Integer({ default: 1 }),
  // Captures (inputs/attempt-tracker.ts): how long an unanswered SYN waits for its answer, how long a 4-tuple's SYNs are one attempt, and how many 4-tuples are remembered.
  PORTENT_SENSOR_ANSWER_WAIT_SECONDS: Type.Number({ default: DEFAULT_TRACKING.answerWaitMs / 1000, minimum: 0, maximum: 600, description: 'Capture time an unanswered SYN waits for its answer before it is published as ATTEMPT (its events wait as long)' }),
  PORTENT_SENSOR_RETRANSMIT_WINDOW_SECONDS: Type.Number({ default: DEFAULT_TRACKING.retransmitWindowMs / 1000, minimum: 0, maximum: 3600, description: 'A SYN of a 4-tuple seen this recently is a retransmission of the same attempt (Linux gives up after 127 s, Windows after 21 s)' }),
  PORTENT_SENSOR_TRACKED_ATTEMPTS: Type.Integer({ default: DEFAULT_TRACKING.maxTracked, minimum: 1000, maximum: 20_000_000, description: 'Most TCP 4-tuples remembered (about 250 bytes each); beyond it the oldest is forgotten' }),
  // Time order of file inputs (inputs/time-order.ts).
  PORTENT_SENSOR_ALLOWED_LATENESS_SECONDS: Type.Number({ default: DEFAULT_ORDER.allowedLatenessMs / 1000, minimum: 0, description: "The detector's allowed lateness: steps back in time larger than this are reported" }),
  PORTENT_SENSOR_REORDER_SECONDS: Type.Number({ default: DEFAULT_ORDER.reorderMs / 1000, minimum: 0, maximum: 3600, description: 'Sort a file within this much time, like reordercap; 0 = read in file order' }),
  PORTENT_SENSOR_REORDER_MAX: Type.Integer({ default: DEFAULT_ORDER.reorderMax, minimum: 1000, maximum: 20_000_000, description: 'Most frames or events held for reordering' }),
  PORTENT_SENSOR_SPEED: Type.Optional(Type.Number({ minimum: 0, description: 'Data seconds per wall second; 0 = as fast as possible. Default 60 (simulator), 0 (files)' })),
  PORTENT_SENSOR_START: Type.Optional(Type.String({ format: 'date-time', description: 'Event time of scenario minute 0; default: so that the scenario ends now' })),
  // At most 5,000: an event takes at most ~110 bytes in Avro (two 45-character addresses), so a record
  // stays under ~550 KB, well within the broker's default message.max.bytes of 1 MiB (delivery.ts SEND_BYTES).
  PORTENT_SENSOR_BATCH_EVENTS: Type.Integer({ default: 500, minimum: 1, maximum: 5_000, description: 'Most events per Kafka record (a record stays under ~550 KB)' }),
  // Hot ports: published under sub-keys tcp/445#k/n by source, so several detector instances share the port (batching.ts).
  PORTENT_SENSOR_HOT_PORTS: Type.Optional(Type.String({ pattern: '^\\s*(tcp|udp|icmp)/\\d{1,5}\\s*(,\\s*(tcp|udp|icmp)/\\d{1,5}\\s*)*$', description: 'Hot ports, e.g. tcp/445,tcp/23' })),
  PORTENT_SENSOR_HOT_PORT_SPLIT: Type.Integer({ default: 8, minimum: 2, maximum: 1024 }),
  PORTENT_SENSOR_PSEUDONYM_KEY: Type.Optional(Type.String({ minLength: 16, description: 'Key of the destination pseudonyms: 64 hex digits, or a passphrase of at least 16 characters' })),
  PORTENT_SENSOR_SPOOL_DIR: Type.Optional(Type.String({ minLength: 1 })),
  PORTENT_SENSOR_SPOOL_MAX_BYTES: Type.Integer({ default: 256 * 1024 * 1024, minimum: 1024 * 1024 }),
  PORTENT_SENSOR_SEND_RETRIES: Type.Integer({ default: 3, minimum: 2, maximum: 100, description: 'Retries of one send before its batch goes to the spool (the Kafka client reads fewer than 2 as unbounded)' }),
  PORTENT_SENSOR_STATS_SECONDS: Type.Integer({ default: 30, minimum: 0, description: 'Interval of the metrics log line; 0 = none' }),
  PORTENT_SENSOR_FLUSH_GRACE_MS: Type.Integer({ default: 15_000, minimum: 0 }),
  // Unset: no probe server (a local run opens no port it was not asked for); the manifests set 8082.
  PORTENT_SENSOR_HEALTH_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Port of /healthz and /readyz; 0 = any free port' })),
});

export type InputConfig =
  | { readonly kind: 'simulator'; readonly scenario: Scenario; readonly seed: number; readonly startMs: number; readonly speed: number }
  | {
      readonly kind: 'pcap' | 'zeek' | 'eve' | 'netfilter' | 'dshield';
      readonly file: string;
      readonly follow: boolean;
      readonly speed: number;
      readonly tracking: TrackingOptions;
      readonly order: OrderOptions;
    }
  | { readonly kind: 'live'; readonly iface: string; readonly filter: string | undefined; readonly tcpdump: string; readonly tracking: TrackingOptions }
  /** Per-sensor files replayed together on one clock (directory/replay.ts). */
  | { readonly kind: 'directory'; readonly dir: string; readonly speed: number; readonly tracking: TrackingOptions; readonly order: OrderOptions };

export interface SensorConfig extends CommonConfig {
  readonly sensorId: string;
  readonly input: InputConfig;
  readonly batchEvents: number;
  /** Ports published under sub-keys (batching.ts); undefined = none. */
  readonly hotPorts: HotPorts | undefined;
  readonly pseudonymKey: string | undefined;
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  readonly sendRetries: number;
  readonly statsSeconds: number;
  readonly flushGraceMs: number;
  /** Port of the probe server (services/common/health-server.ts); undefined = none. */
  readonly healthPort: number | undefined;
}

type Settings = ReturnType<typeof loadConfig<typeof sensorSettings>>;

function inputConfig(c: Settings, nowMs: number): InputConfig {
  const kind = c.PORTENT_SENSOR_INPUT;
  if (kind === 'simulator') {
    const scenario = SCENARIOS[c.PORTENT_SENSOR_SCENARIO];
    if (scenario === undefined) throw sensorError(SensorErrorCodes.USAGE, `unknown scenario ${c.PORTENT_SENSOR_SCENARIO}`);
    const defaultStart = Math.floor((nowMs - scenario.minutes * 60_000) / 60_000) * 60_000;
    const startMs = c.PORTENT_SENSOR_START === undefined ? defaultStart : Date.parse(c.PORTENT_SENSOR_START);
    return { kind, scenario, seed: c.PORTENT_SENSOR_SEED, startMs, speed: c.PORTENT_SENSOR_SPEED ?? 60 };
  }
  if (kind === 'live') {
    if (c.PORTENT_SENSOR_INTERFACE === undefined) throw sensorError(SensorErrorCodes.INPUT_OPTION_MISSING, 'input live needs PORTENT_SENSOR_INTERFACE (--interface)');
    return { kind, iface: c.PORTENT_SENSOR_INTERFACE, filter: c.PORTENT_SENSOR_CAPTURE_FILTER, tcpdump: c.PORTENT_SENSOR_TCPDUMP, tracking: tracking(c) };
  }
  if (c.PORTENT_SENSOR_FILE === undefined) throw sensorError(SensorErrorCodes.INPUT_OPTION_MISSING, `input ${kind} needs PORTENT_SENSOR_FILE (--file PATH, or - for stdin)`);
  const order: OrderOptions = {
    allowedLatenessMs: c.PORTENT_SENSOR_ALLOWED_LATENESS_SECONDS * 1000,
    reorderMs: c.PORTENT_SENSOR_REORDER_SECONDS * 1000,
    reorderMax: c.PORTENT_SENSOR_REORDER_MAX,
  };
  if (kind === 'directory') return { kind, dir: c.PORTENT_SENSOR_FILE, speed: c.PORTENT_SENSOR_SPEED ?? 0, tracking: tracking(c), order };
  return { kind, file: c.PORTENT_SENSOR_FILE, follow: c.PORTENT_SENSOR_FOLLOW, speed: c.PORTENT_SENSOR_SPEED ?? 0, tracking: tracking(c), order };
}

function tracking(c: Settings): TrackingOptions {
  return {
    answerWaitMs: c.PORTENT_SENSOR_ANSWER_WAIT_SECONDS * 1000,
    retransmitWindowMs: c.PORTENT_SENSOR_RETRANSMIT_WINDOW_SECONDS * 1000,
    maxTracked: c.PORTENT_SENSOR_TRACKED_ATTEMPTS,
  };
}

/** `tcp/445,tcp/23` → the ports' numbers (batching.ts); the schema's pattern has checked the form. */
function hotPorts(list: string | undefined, split: number): HotPorts | undefined {
  if (list === undefined) return undefined;
  const ports = new Set<number>();
  for (const item of list.split(',')) {
    const [protocol = '', port = ''] = item.trim().split('/');
    if (Number(port) > 65535) throw sensorError(SensorErrorCodes.USAGE, `PORTENT_SENSOR_HOT_PORTS: ${item.trim()} is not a port`);
    ports.add(portNumber(protocol, Number(port)));
  }
  return Object.freeze({ ports, split });
}

export function loadSensorConfig(env: Env, nowMs: number): SensorConfig {
  const c = loadConfig(sensorSettings, env, ['PORTENT_SENSOR_']);
  const sensorId = c.PORTENT_SENSOR_ID ?? hostname();
  return Object.freeze({
    ...commonConfig(c),
    sensorId,
    input: inputConfig(c, nowMs),
    batchEvents: c.PORTENT_SENSOR_BATCH_EVENTS,
    hotPorts: hotPorts(c.PORTENT_SENSOR_HOT_PORTS, c.PORTENT_SENSOR_HOT_PORT_SPLIT),
    pseudonymKey: c.PORTENT_SENSOR_PSEUDONYM_KEY,
    spoolDir: c.PORTENT_SENSOR_SPOOL_DIR ?? join(tmpdir(), 'portent-sensor-spool', sensorId.replace(/[^a-zA-Z0-9._-]/g, '_')),
    spoolMaxBytes: c.PORTENT_SENSOR_SPOOL_MAX_BYTES,
    sendRetries: c.PORTENT_SENSOR_SEND_RETRIES,
    statsSeconds: c.PORTENT_SENSOR_STATS_SECONDS,
    flushGraceMs: c.PORTENT_SENSOR_FLUSH_GRACE_MS,
    healthPort: c.PORTENT_SENSOR_HEALTH_PORT,
  });
}
