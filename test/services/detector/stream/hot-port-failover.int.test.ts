/**
 * Fault tolerance of a split hot port with real processes against the real
 * broker (issue 4, items 7 and 8): tcp/445 is published under 4 sub-keys over
 * 2 connections partitions (sub-keys on both) and merged through a
 * 1-partition partials topic, so of two detectors one is the merger (stage 2)
 * and both own sub-keys (stage 1). The merger is killed with SIGKILL
 * mid-stream, a third detector joins, then a detector that owns sub-keys but
 * not the merger is killed. The alerts and the windows of tcp/445 must be
 * those of the unsplit port: nothing lost, nothing fired twice.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec, portStatsCodec } from '../../../../services/common/avro/codecs.ts';
import type { Alert, PortStats } from '../../../../services/common/avro/generated-types.ts';
import type { TopicNames } from '../../../../services/common/kafka/topics.ts';
import type { InRecord, KafkaTransport } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import { portNumber } from '../../../../services/sensor/batching.ts';
import { startDetectorProcess } from '../../../support/detector-process.ts';
import type { DetectorProcess } from '../../../support/detector-process.ts';
import { createTestTopics, quietLogger, readUntil, serviceEnv, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { waitForOffsets } from '../../../support/offsets.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';
import { systemClock } from '../../../../services/common/clock.ts';
import { testDir } from '../../../support/temp-dir.ts';

const HOT = { ports: new Set([portNumber('TCP', 445)]), split: 4 };
/** Minute 27's events close the windows of minutes 0-26. */
const WINDOWS = 27;
const MERGER_RESTORED = 'merger partition state restored';

const alertsOf = (rs: InRecord[]): Alert[] => rs.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0))).filter((a) => a.port === 445);
const essentials = (a: Alert) => JSON.stringify([a.alertId, a.state, a.windowStart, a.figures, a.severity, a.shape, a.wormRisk.level, a.topScanners]);

/** tcp/445's windows by minute; a repeated window must repeat its figures (new-source and DSC counts aside: Bloom filters are not checkpointed). */
function windowsOf(rs: InRecord[]): Map<number, PortStats> {
  const seen = new Map<number, PortStats>();
  for (const r of rs) {
    if (r.key !== 'tcp/445') continue;
    const s = portStatsCodec.decode(r.value ?? Buffer.alloc(0));
    const minute = (s.windowStart - DEMO_START) / 60_000;
    const before = seen.get(minute);
    if (before !== undefined) expect({ ...s, newSources: 0, dscSources: 0 }, `tcp/445 minute ${minute} repeated`).toEqual({ ...before, newSources: 0, dscSources: 0 });
    seen.set(minute, s);
  }
  return seen;
}

/** The alerts and windows of tcp/445 once the surge has resolved and every window has closed. */
async function outcome(transport: KafkaTransport, topics: TopicNames) {
  const alerts = alertsOf(await readUntil(transport, topics.alerts, (rs) => alertsOf(rs).some((a) => a.state === 'RESOLVED'), 120_000));
  const windows = windowsOf(await readUntil(transport, topics.portStats, (rs) => windowsOf(rs).size >= WINDOWS, 60_000));
  return { alerts, windows };
}

/**
 * Which of two detectors merges the 1-partition partials topic, after
 * `newcomer` joined: once the merge group has committed past what was on the
 * topic when it joined (so someone of the new generation handled partials),
 * the newcomer has logged a restore of the merger's state if and only if it
 * got the partition.
 */
async function merger(transport: KafkaTransport, topics: TopicNames, mergeGroup: string, old: DetectorProcess, newcomer: DetectorProcess, publish: () => Promise<unknown>) {
  const end = (await transport.endOffsets(topics.portPartials)).get(0) ?? 0n;
  await publish();
  await waitForOffsets(mergeGroup, topics.portPartials, (o) => (o[0]?.committed ?? 0) > Number(end));
  const took = newcomer.logLines().some((l) => l['msg'] === MERGER_RESTORED);
  return took ? { merger: newcomer, other: old } : { merger: old, other: newcomer };
}

/** Polls a detector's log until it has a line with `msg`. */
async function logged(p: DetectorProcess, msg: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.logLines().some((l) => l['msg'] === msg)) {
    if (Date.now() > deadline) throw new Error(`no "${msg}" in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('hot-port failover (real processes, real broker)', () => {
  it('a split port resumes after kill -9 of its merger and of a sub-key owner with the unsplit port alerts and windows', { timeout: 300_000 }, async () => {
    const transport = testTransport();
    const producer = await testProducer(transport);
    const plain = await createTestTopics(transport);
    const split = await createTestTopics(transport, 2, { portPartials: 1 });

    // The reference: the unsplit port, one in-process detector.
    await publishScenario(producer, plain.connections, 'demo', { startMs: DEMO_START, sensors: 1 });
    const reference = startDetectorPipeline({ transport, producer, topics: plain, config: { ...loadDetectorConfig({}), groupId: uniqueName('detector') }, logger: quietLogger, now: systemClock });
    onTestFinished(() => reference.close());

    const groupId = uniqueName('detector');
    const env = { ...serviceEnv(split), PORTENT_DETECTOR_GROUP_ID: groupId, PORTENT_DETECTOR_SESSION_TIMEOUT_MS: '6000', PORTENT_LOG_LEVEL: 'info' };
    const logDir = testDir('hot-failover');
    const publish = (fromMinute: number, toMinute?: number) =>
      publishScenario(producer, split.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute, hot: HOT, ...(toMinute === undefined ? {} : { toMinute }) });

    const a = await startDetectorProcess('a', env, logDir);
    // Minute 13 closes the onset window (12): FIRING by then at the latest, whatever the partial interval held back.
    await publish(0, 14);
    await readUntil(transport, split.alerts, (rs) => alertsOf(rs).some((x) => x.state === 'FIRING'));
    const b = await startDetectorProcess('b', env, logDir);
    const first = await merger(transport, split, `${groupId}-merge`, a, b, () => publish(14, 16));

    // Stage 2 (and the sub-keys of its connections partition) dies mid-stream, while the surge peaks; the other detector takes over.
    await publish(16, 20);
    await first.merger.kill();
    const c = await startDetectorProcess('c', env, logDir);
    const second = await merger(transport, split, `${groupId}-merge`, first.other, c, () => publish(20, 22));
    const restoredBefore = second.merger.logLines().filter((l) => l['msg'] === 'partition state restored').length;

    // Stage 1 only dies mid-stream: a detector that owns sub-keys but does not merge. Minutes 24-26 cannot
    // close before the survivor has taken its partition over from the checkpoint and read it again.
    await publish(22, 25);
    // The takeover to check needs the victim to own a connections partition (each does once the newcomer has
    // one: 2 partitions, 2 members) and to have committed past where the survivor last held it (everything
    // published so far committed). Under load in CI the victim was once killed before that: the survivor's
    // state for the partition was then still current, and rightly not restored.
    await logged(c, 'partition state restored');
    await waitForOffsets(groupId, split.connections, (o) => o.every((x) => x.committed >= x.end));
    await second.other.kill();
    await publish(25);

    const [expected, actual] = await Promise.all([outcome(transport, plain), outcome(transport, split)]);

    // One surge, one id; a state repeated after a crash is the same state; sequences without gaps.
    expect(new Set(actual.alerts.map((x) => x.alertId)).size).toBe(1);
    const bySequence = new Map<number, Alert>();
    for (const x of actual.alerts) {
      const seen = bySequence.get(x.sequence);
      if (seen !== undefined) expect(essentials(x)).toBe(essentials(seen));
      bySequence.set(x.sequence, x);
    }
    const states = [...bySequence.values()].sort((p, q) => p.sequence - q.sequence);
    expect(states.map((x) => x.sequence)).toEqual([...states.keys()]);

    // The unsplit port's lifecycle; states decided at window close with its figures (distinct counts within the sketch's 2 %).
    const once = [...new Map(expected.alerts.map((x) => [x.sequence, x])).values()].sort((p, q) => p.sequence - q.sequence);
    expect(once.map((x) => x.state)).toEqual(['FIRING', 'UPDATED', 'UPDATED', 'RESOLVED']);
    expect(states.map((x) => [x.alertId, x.state, x.sequence, x.onsetWindowStart, x.shape])).toEqual(once.map((x) => [x.alertId, x.state, x.sequence, x.onsetWindowStart, x.shape]));
    for (const [i, x] of states.entries()) {
      const e = once[i];
      if (e === undefined || x.state === 'FIRING') continue;
      expect([x.windowStart, x.figures.attempts, x.severity, x.topScanners.map((s) => s.ip)]).toEqual([e.windowStart, e.figures.attempts, e.severity, e.topScanners.map((s) => s.ip)]);
      expect(Math.abs(x.figures.distinctSources - e.figures.distinctSources)).toBeLessThanOrEqual(0.02 * e.figures.distinctSources);
    }

    // Every window of tcp/445, none lost and none counted twice: the unsplit figures.
    for (let m = 0; m < WINDOWS; m++) {
      const x = actual.windows.get(m);
      const e = expected.windows.get(m);
      expect(x, `tcp/445 minute ${m}`).toBeDefined();
      if (x === undefined || e === undefined) continue;
      expect([m, x.attempts, x.sensors, x.scanners, x.surging]).toEqual([m, e.attempts, e.sensors, e.scanners, e.surging]);
      expect(Math.abs(x.distinctSources - e.distinctSources), `minute ${m} sources`).toBeLessThanOrEqual(0.02 * e.distinctSources);
      expect(Math.abs(x.distinctDestinations - e.distinctDestinations), `minute ${m} destinations`).toBeLessThanOrEqual(0.02 * e.distinctDestinations);
    }

    // The takeovers went through the checkpoints: the merger's state was restored after the first kill,
    // and the survivor of the second restored the dead detector's connections partition.
    const survivors = [first.other, c];
    expect(survivors.some((p) => p.logLines().some((l) => l['msg'] === MERGER_RESTORED && l['nextOffset'] !== undefined))).toBe(true);
    expect(second.merger.logLines().filter((l) => l['msg'] === 'partition state restored').length).toBeGreaterThan(restoredBefore);
  });
});
