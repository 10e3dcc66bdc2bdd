/**
 * The sensor's command line. Every option is another spelling of one
 * environment setting (the one config module validates both), so
 * Kubernetes keeps using the environment and a person can type:
 *
 *   node services/sensor/main.ts --input zeek --file conn.log --follow
 *   node services/sensor/main.ts --input directory --file last-week/ --speed 60
 */
import { parseArgs } from 'node:util';
import type { Env } from '../common/config.ts';
import { sensorError, SensorErrorCodes } from './errors.ts';

const OPTIONS = {
  input: { type: 'string', env: 'PORTENT_SENSOR_INPUT', help: 'simulator | pcap | zeek | eve | netfilter | dshield | live | directory (default simulator)' },
  file: { type: 'string', env: 'PORTENT_SENSOR_FILE', help: 'input file (pcap/pcapng, gzip allowed), or - for stdin; directory: the folder of <sensor-id>.<kind> files' },
  follow: { type: 'boolean', env: 'PORTENT_SENSOR_FOLLOW', help: 'follow a growing log file across rotation, like tail -F' },
  interface: { type: 'string', env: 'PORTENT_SENSOR_INTERFACE', help: 'live: the interface tcpdump captures on' },
  filter: { type: 'string', env: 'PORTENT_SENSOR_CAPTURE_FILTER', help: 'live: a BPF filter' },
  tcpdump: { type: 'string', env: 'PORTENT_SENSOR_TCPDUMP', help: 'live: the tcpdump command (default tcpdump)' },
  scenario: { type: 'string', env: 'PORTENT_SENSOR_SCENARIO', help: 'simulator: scenario name (default demo)' },
  seed: { type: 'string', env: 'PORTENT_SENSOR_SEED', help: 'simulator: seed (default 1)' },
  start: { type: 'string', env: 'PORTENT_SENSOR_START', help: 'simulator: event time of minute 0 (ISO 8601)' },
  speed: { type: 'string', env: 'PORTENT_SENSOR_SPEED', help: 'data seconds per wall second: 1 = original, 0 = as fast as possible (default 60 simulator, 0 files)' },
  'answer-wait': { type: 'string', env: 'PORTENT_SENSOR_ANSWER_WAIT_SECONDS', help: 'captures: seconds an unanswered SYN waits for its answer (default 10)' },
  'retransmit-window': { type: 'string', env: 'PORTENT_SENSOR_RETRANSMIT_WINDOW_SECONDS', help: 'captures: seconds within which a 4-tuple\'s SYNs are one attempt (default 130)' },
  'tracked-attempts': { type: 'string', env: 'PORTENT_SENSOR_TRACKED_ATTEMPTS', help: 'captures: most TCP 4-tuples remembered (default 200000)' },
  'allowed-lateness': { type: 'string', env: 'PORTENT_SENSOR_ALLOWED_LATENESS_SECONDS', help: 'files: report steps back in time larger than this (default 10)' },
  reorder: { type: 'string', env: 'PORTENT_SENSOR_REORDER_SECONDS', help: 'files: sort by time within this many seconds, like reordercap (default 0: off)' },
  'reorder-max': { type: 'string', env: 'PORTENT_SENSOR_REORDER_MAX', help: 'files: most frames or events held for --reorder (default 1000000)' },
  'sensor-id': { type: 'string', env: 'PORTENT_SENSOR_ID', help: 'id of this vantage point (default host name)' },
  'batch-events': { type: 'string', env: 'PORTENT_SENSOR_BATCH_EVENTS', help: 'most events per Kafka record (default 500)' },
  'spool-dir': { type: 'string', env: 'PORTENT_SENSOR_SPOOL_DIR', help: 'disk queue while the broker is away' },
  'spool-max-bytes': { type: 'string', env: 'PORTENT_SENSOR_SPOOL_MAX_BYTES', help: 'bound of the disk queue (default 256 MiB; oldest dropped first)' },
  brokers: { type: 'string', env: 'KAFKA_BROKERS', help: 'bootstrap brokers host:port[,host:port]' },
  'topic-prefix': { type: 'string', env: 'PORTENT_TOPIC_PREFIX', help: 'prefix of topic names (default portent.)' },
  'log-level': { type: 'string', env: 'PORTENT_LOG_LEVEL', help: 'fatal ... trace, silent' },
  help: { type: 'boolean', env: '', help: 'this text' },
} as const;

export const USAGE = [
  'usage: node services/sensor/main.ts [options]',
  '',
  ...Object.entries(OPTIONS).map(([name, o]) => `  --${name.padEnd(16)} ${o.help}${o.env === '' ? '' : ` [${o.env}]`}`),
  '',
  'The pseudonym key is read only from PORTENT_SENSOR_PSEUDONYM_KEY (a key on the command line shows in ps).',
].join('\n');

export type CliResult = { readonly help: true } | { readonly help: false; readonly env: Env };

/** Command-line options override the same settings from the environment. */
export function parseCli(argv: readonly string[], env: Env): CliResult {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.type }])), strict: true, allowPositionals: false });
  } catch (err) {
    throw sensorError(SensorErrorCodes.USAGE, `${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help'] === true) return { help: true };
  const out: Record<string, string | undefined> = { ...env };
  for (const [name, o] of Object.entries(OPTIONS)) {
    const v = values[name];
    if (v !== undefined && o.env !== '') out[o.env] = String(v);
  }
  return { help: false, env: out };
}
