/**
 * Checkpoints every few seconds, offsets committed after every batch: a
 * successor finds the group's position past the last checkpoint and must read
 * the partition again from the checkpoint. Without that seek it would lose
 * the records in between (windows with lower figures than the first run's);
 * reading them on top of a state that already held them would double them
 * (higher figures). Either shows up as a window whose repeat differs.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec, portStatsCodec } from '../../../../services/common/avro/codecs.ts';
import type { Alert } from '../../../../services/common/avro/generated-types.ts';
import type { InRecord } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import type { DetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { waitForOffsets } from '../../../support/offsets.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';

async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const PORTS = ['tcp/22', 'tcp/23', 'tcp/80', 'tcp/3389', 'udp/53', 'tcp/445'];
const MINUTES = 27;

/** Windows by port and minute; fails if a repeated window differs (new-source and DSC counts aside: their Bloom filters are not checkpointed). */
function windows(rs: readonly InRecord[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const r of rs) {
    const s = portStatsCodec.decode(r.value ?? Buffer.alloc(0));
    const key = `${r.key ?? ''}@${(s.windowStart - DEMO_START) / 60_000}`;
    const value = JSON.stringify({ ...s, newSources: null, dscSources: null });
    expect(seen.get(key) ?? value, key).toBe(value);
    seen.set(key, value);
  }
  return seen;
}

describe('detector checkpoint cadence (real broker)', () => {
  it('resumes from a checkpoint older than the committed offsets without losing or doubling a window', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);
    const groupId = uniqueName('detector');
    // The clock stands still: each partition is checkpointed after its first batch and never again.
    const start = (): DetectorPipeline => {
      const pipeline = startDetectorPipeline({
        transport, producer, topics, config: { ...loadDetectorConfig({}), groupId, checkpointIntervalMs: 60_000 }, logger: quietLogger, now: () => 0,
      });
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await pipeline.close();
      };
      onTestFinished(close);
      return { ...pipeline, close };
    };

    const first = start();
    await first.started;
    let published = await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, toMinute: 2 });
    await until(() => first.counters.events >= published, 'the first minutes');
    // Offsets are committed after a batch's checkpoint: once all are, every first-batch checkpoint is written.
    await waitForOffsets(groupId, topics.connections, (o) => o.every((p) => p.committed === p.end));
    const checkpoints = first.counters.checkpoints;
    published += await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute: 2, toMinute: 16 });
    await until(() => first.counters.events >= published, 'minutes 2-15');
    // Processed and committed far past the checkpoints, which were not written again.
    expect(first.counters.checkpoints).toBe(checkpoints);
    expect((await readUntil(transport, topics.alerts, (r) => r.length >= 1)).length).toBeGreaterThan(0);
    // Stopping writes no checkpoint: for the successor this is the same as a crash.
    await first.close();

    const second = start();
    await second.started;
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute: 16 });
    const stats = windows(await readUntil(transport, topics.portStats, (rs) => windows(rs).size >= PORTS.length * MINUTES, 60_000));
    for (const port of PORTS) for (let m = 0; m < MINUTES; m++) expect(stats.has(`${port}@${m}`), `${port} minute ${m}`).toBe(true);
    expect(second.counters.seeks).toBeGreaterThan(0);

    // One surge, one id; a state sent by both instances is the same state.
    const alerts: Alert[] = (await readUntil(transport, topics.alerts, (rs) => rs.some((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)).state === 'RESOLVED')))
      .map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)));
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(1);
    const bySequence = new Map<number, string>();
    for (const a of alerts) {
      const essentials = JSON.stringify([a.state, a.windowStart, a.figures, a.severity, a.shape, a.wormRisk.level]);
      expect(bySequence.get(a.sequence) ?? essentials).toBe(essentials);
      bySequence.set(a.sequence, essentials);
    }
    expect([...bySequence.keys()].sort((p, q) => p - q)).toEqual([...Array(bySequence.size).keys()]);
  });
});
