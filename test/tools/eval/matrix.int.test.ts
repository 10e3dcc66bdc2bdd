/**
 * Representative rows of the `npm run eval` matrix through the real path
 * (issue 14): the world's sensors written as Zeek conn.logs, one per sensor,
 * replayed together by the sensor command (`--input directory`) onto the
 * test broker, a detector pipeline, the alerts topic; judged against the same
 * targets as the in-process table (warm-up and tail shortened).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { advisoryCodec, alertCodec } from '../../../services/common/avro/codecs.ts';
import type { Alert, ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { systemClock } from '../../../services/common/clock.ts';
import { loadDetectorConfig } from '../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../services/detector/stream/pipeline.ts';
import { sensorName } from '../../../services/sensor/scenarios/space.ts';
import { worldSlices } from '../../../services/sensor/scenarios/world.ts';
import { EVAL_START, MATRIX, MS05_027 } from '../../../tools/eval/matrix.ts';
import type { MatrixRow } from '../../../tools/eval/matrix.ts';
import { measure } from '../../../tools/eval/measure.ts';
import { createTestTopics, quietLogger, readUntil, serviceEnv, testProducer, testTransport, uniqueName } from '../../support/kafka.ts';
import { allCommitted } from '../../support/offsets.ts';
import { sensorDirectory, zeekConnLogOf } from '../../support/sensor-files.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The row's world as one Zeek conn.log per sensor. */
function writeWorld(row: MatrixRow): string {
  const bySensor: ConnectionEvent[][] = Array.from({ length: row.world.space.sensors }, () => []);
  for (const slice of worldSlices(row.world, 1, EVAL_START)) slice.forEach((events, s) => bySensor[s]?.push(...events));
  const { dir, remove } = sensorDirectory(Object.fromEntries(bySensor.map((events, s) => [`${sensorName(s)}.conn.log`, zeekConnLogOf(events)])));
  onTestFinished(remove);
  return dir;
}

async function detect(row: MatrixRow): Promise<Alert[]> {
  const transport = testTransport();
  const topics = await createTestTopics(transport, 4);
  const producer = await testProducer(transport);
  await producer.send(topics.advisories, [{ key: MS05_027.id, value: advisoryCodec.encode(MS05_027) }]);
  const groupId = uniqueName('detector');
  const pipeline = startDetectorPipeline({ transport, producer, topics, config: { ...loadDetectorConfig({}), groupId }, logger: quietLogger, now: systemClock });
  onTestFinished(() => pipeline.close());
  await pipeline.started;
  const dir = writeWorld(row);
  const sensor = spawn(process.execPath, [join(ROOT, 'services', 'sensor', 'main.ts'), '--input', 'directory', '--file', dir], {
    env: { ...serviceEnv(topics), PORTENT_SENSOR_SPOOL_DIR: join(dir, 'spool'), PORTENT_LOG_LEVEL: 'warn', PORTENT_SENSOR_STATS_SECONDS: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  sensor.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  expect(await new Promise<number | null>((resolve) => sensor.once('exit', resolve)), stderr).toBe(0);
  await allCommitted(groupId, topics.connections, 150_000);
  const expected = pipeline.counters.alerts;
  if (expected === 0) return [];
  const records = await readUntil(transport, topics.alerts, (r) => r.length >= expected);
  return records.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)));
}

/**
 * A matrix row with its warm-up cut to 20 minutes and its tail to 10: the
 * broker path costs a send per sensor per 5 s of data (the sensor's flush
 * span), so the matrix's 3-hour warm-ups would take minutes here.
 */
function shortened(name: string): MatrixRow {
  const r = MATRIX.find((m) => m.name === name);
  if (r === undefined) throw new Error(`matrix row ${name} missing`);
  const waves = r.world.sweeps.flatMap((s) => s.waves);
  const shift = Math.min(...waves.map((w) => w.startMinute)) - 20;
  const end = Math.max(...waves.map((w) => w.startMinute + w.rampMinutes + w.plateauMinutes + w.declineMinutes)) - shift;
  return {
    ...r,
    onsetMinute: (r.onsetMinute ?? 0) - shift,
    world: { ...r.world, minutes: end + 10, sweeps: r.world.sweeps.map((s) => ({ ...s, waves: s.waves.map((w) => ({ ...w, startMinute: w.startMinute - shift })) })) },
  };
}

describe('scenario matrix through the real broker', () => {
  it.each(['sweep linear 2 min', 'sweep 3 staggered waves'])('%s: a surge within 2 windows of the onset, worm-risk at most ELEVATED', async (name) => {
    const r = shortened(name);
    const alerts = await detect(r);
    const f = measure(r, alerts, EVAL_START, loadDetectorConfig({}).detector.windowMs);
    expect(f, JSON.stringify(alerts.map((a) => [a.kind, a.state, a.port, a.windowStart, a.wormRisk.level]))).toMatchObject({ surgeInTime: true, pass: true });
  }, 180_000);
});
