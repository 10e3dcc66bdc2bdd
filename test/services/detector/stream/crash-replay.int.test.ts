/**
 * One content per alert state, whatever crashes (issue: "one content per
 * webhook-id"): the detector is killed with SIGKILL at several points of the
 * worm scenario, with the default checkpoint and Bloom snapshot settings, and
 * every alert it produced (first sends and re-sends alike) is byte-identical
 * to the alert of the same id and sequence in an undisturbed run. That holds
 * only if a restore brings back the Bloom filters (new and DSC sources) as
 * they were at the checkpoint: filters minutes older change the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec } from '../../../../services/common/avro/codecs.ts';
import type { InRecord } from '../../../../services/common/kafka/transport.ts';
import { startDetectorProcess } from '../../../support/detector-process.ts';
import type { DetectorProcess } from '../../../support/detector-process.ts';
import { createTestTopics, readUntil, serviceEnv, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';
import { stateKey } from '../../../../tools/chaos/reference.ts';
import { uninterruptedRun } from './uninterrupted.ts';

const newestMinute = (rs: InRecord[]): number => Math.max(-1, ...rs.map((r) => (alertCodec.decode(r.value ?? Buffer.alloc(0)).windowStart - DEMO_START) / 60_000));

describe('detector alerts after kill -9 (real processes, real broker, default settings)', () => {
  it('re-sends every alert state byte-identical to an undisturbed run', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);
    const logDir = mkdtempSync(join(tmpdir(), 'portent-crash-replay-'));
    onTestFinished(() => {
      rmSync(logDir, { recursive: true, force: true });
    });
    // Default cadences (checkpoints every 5 s, full Bloom snapshots every 5 min); a short session so a successor takes over quickly.
    const env = { ...serviceEnv(topics), PORTENT_DETECTOR_GROUP_ID: uniqueName('detector'), PORTENT_DETECTOR_SESSION_TIMEOUT_MS: '6000', PORTENT_LOG_LEVEL: 'info' };
    // The scenario arrives as a sensor would send it, a minute of events at a time, paced (not waited on) so that batches keep
    // coming between checkpoints: a kill then lands after work the last checkpoint does not hold, which the successor replays.
    const publishing = (async () => {
      for (let minute = 0; minute < 36; minute++) {
        await publishScenario(producer, topics.connections, 'worm', { startMs: DEMO_START, sensors: 4, fromMinute: minute, toMinute: minute + 1 });
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();

    let detector: DetectorProcess = await startDetectorProcess('a', env, logDir);
    // Killed as the worm's onset is reported, while it grows, and late in its growth.
    for (const [name, minute] of [['b', 11], ['c', 19], ['d', 27]] as const) {
      await readUntil(transport, topics.alerts, (rs) => newestMinute(rs) >= minute, 120_000);
      await detector.kill();
      detector = await startDetectorProcess(name, env, logDir);
    }
    await publishing;

    const reference = new Map((await uninterruptedRun(transport, topics.connections, env, DEMO_START)).alerts.map((a) => [stateKey(a), a]));
    expect(reference.size).toBeGreaterThan(3);
    const received = await readUntil(transport, topics.alerts, (rs) => new Set(rs.map((r) => stateKey(alertCodec.decode(r.value ?? Buffer.alloc(0))))).size >= reference.size, 120_000);
    const sent = new Set<string>();
    for (const r of received) {
      const alert = alertCodec.decode(r.value ?? Buffer.alloc(0));
      const want = reference.get(stateKey(alert));
      // Decoded first for a readable difference, then the bytes a receiver's body is rendered from.
      expect(alert).toEqual(want);
      expect(r.value?.equals(alertCodec.encode(want ?? alert))).toBe(true);
      sent.add(stateKey(alert));
    }
    expect([...reference.keys()].filter((k) => !sent.has(k))).toEqual([]);
    // Some states were sent twice: a successor replayed from a checkpoint older than what its predecessor had sent.
    expect(received.length).toBeGreaterThan(sent.size);
  });
});
