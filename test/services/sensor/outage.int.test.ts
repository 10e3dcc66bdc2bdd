/**
 * The sensor loses its broker and gets it back: a real broker (its own, with
 * a kept data dir and port, so a restart is the same broker) is stopped while
 * a sensor follows a growing Zeek log, then started again. Every event must
 * arrive exactly once: counted per unique event on the topic.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectionBatchCodec } from '../../../services/common/avro/codecs.ts';
import { topicNames, topicSpecs } from '../../../services/common/kafka/topics.ts';
import { KafkaTransport } from '../../../services/common/kafka/transport.ts';
import type { SensorSnapshot } from '../../../services/sensor/metrics.ts';
import { startLocalBroker } from '../../../tools/local-kafka/broker.ts';
import { quietLogger, readUntil, uniqueName } from '../../support/kafka.ts';
import { testDir } from '../../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const T0 = 1_795_766_400;
const HEADER = '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\n';

/** `n` conn.log lines, each a unique (source, port, time): event number i is source 10.x.y.z port 1024 + i % 50000. */
function lines(from: number, n: number): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    out += `${T0 + i / 1000}\tC${i}\t${src}\t${1024 + (i % 50000)}\t198.51.100.${i % 200}\t${[22, 23, 445, 3389][i % 4]}\ttcp\t-\t-\t-\t-\tS0\n`;
  }
  return out;
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 60_000, state: () => unknown = () => undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sensor delivery across a broker outage', () => {
  it('spools while the broker is down and delivers every event exactly once after it is back', async () => {
    const dataDir = testDir('sensor-outage-kafka');
    // The first broker keeps its data dir on stop (the restart needs it); the second removes it.
    let broker = await startLocalBroker({ dataDir, removeDataDir: false });
    onTestFinished(() => broker.stop());
    const port = Number(broker.brokers[0]?.split(':')[1]);
    const prefix = `${uniqueName('t')}.`;
    const names = topicNames(prefix);
    const admin = new KafkaTransport({ brokers: broker.brokers, clientId: uniqueName('admin'), logger: quietLogger });
    await admin.ensureTopics(topicSpecs(names, 3), 1);

    const work = testDir('sensor-outage');
    const log = join(work, 'conn.log');
    writeFileSync(log, HEADER + lines(0, 3000));
    const sensor = spawn(process.execPath, [join(ROOT, 'services', 'sensor', 'main.ts'), '--input', 'zeek', '--file', log, '--follow'], {
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.brokers.join(','),
        PORTENT_TOPIC_PREFIX: prefix,
        PORTENT_SENSOR_ID: 'edge-1',
        PORTENT_SENSOR_SPOOL_DIR: join(work, 'spool'),
        PORTENT_SENSOR_STATS_SECONDS: '1',
        PORTENT_SENSOR_SEND_RETRIES: '2',
        PORTENT_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => sensor.once('exit', resolve));
    onTestFinished(() => {
      if (sensor.exitCode === null) sensor.kill('SIGKILL');
    });
    let metrics: SensorSnapshot | undefined;
    let stderr = '';
    let out = '';
    sensor.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: sensor.stdout }).on('line', (line) => {
      if (!line.includes('"sensor metrics"')) out += `${line.slice(0, 400)}\n`;
      try {
        const entry = JSON.parse(line) as { metrics?: SensorSnapshot };
        if (entry.metrics !== undefined) metrics = entry.metrics;
      } catch {
        // not a log line
      }
    });

    await until('the first 3000 events published', () => (metrics !== undefined && metrics.eventsPublished === 3000 ? true : undefined));
    await broker.stop();
    appendFileSync(log, lines(3000, 4000));
    const spooled = await until('4000 events spooled', () => (metrics !== undefined && metrics.spoolEvents === 4000 ? metrics : undefined));
    expect(spooled.brokerUp).toBe(false);

    broker = await startLocalBroker({ dataDir, port, removeDataDir: true });
    appendFileSync(log, lines(7000, 3000));
    const drained = await until('10000 events published', () => (metrics !== undefined && metrics.eventsPublished === 10_000 && metrics.spoolEvents === 0 ? metrics : undefined), 90_000, () => ({ metrics, stdout: out.slice(-3000) }));
    expect(drained.eventsDropped).toEqual({});

    sensor.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/events read: 10000, published: 10000, still spooled: 0/);

    const reader = new KafkaTransport({ brokers: broker.brokers, clientId: uniqueName('reader'), logger: quietLogger });
    const count = (records: { value: Buffer | null }[]): number => records.reduce((n, r) => n + (r.value === null ? 0 : connectionBatchCodec.decode(r.value).events.length), 0);
    const records = await readUntil(reader, names.connections, (rs) => count(rs) >= 10_000);
    const perEvent = new Map<string, number>();
    for (const r of records) {
      if (r.value === null) continue;
      for (const e of connectionBatchCodec.decode(r.value).events) {
        const key = `${e.srcIp}:${e.srcPort}@${e.eventTime}`;
        perEvent.set(key, (perEvent.get(key) ?? 0) + 1);
      }
    }
    expect(perEvent.size).toBe(10_000);
    expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
  }, 240_000);
});
