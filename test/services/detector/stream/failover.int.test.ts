/**
 * Fault tolerance with real processes against the real broker (issue 4, item 7):
 * detector A runs alone, B joins (a rebalance moves partitions to it), A is
 * killed with SIGKILL mid-stream, B takes A's partitions over from the
 * checkpoints. No window may be lost and no alert may fire twice, and every
 * window's figures, new-source and DSC counts included (the Bloom filters are
 * checkpointed), must equal those of an uninterrupted run over the same log.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertCodec, portStatsCodec } from '../../../../services/common/avro/codecs.ts';
import type { Alert, PortStats } from '../../../../services/common/avro/generated-types.ts';
import type { InRecord } from '../../../../services/common/kafka/transport.ts';
import { startDetectorProcess as startDetector } from '../../../support/detector-process.ts';
import { createTestTopics, readUntil, serviceEnv, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';
import { uninterrupted } from './uninterrupted.ts';
import { testDir } from '../../../support/temp-dir.ts';

const decodeAlerts = (rs: InRecord[]): Alert[] => rs.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)));
const essentials = (a: Alert) => JSON.stringify([a.state, a.windowStart, a.figures, a.severity, a.shape, a.wormRisk.level]);

describe('detector failover (real processes, real broker)', () => {
  it('resumes after kill -9 and a rebalance without losing a window or firing twice', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);
    const logDir = testDir('failover');
    const env = {
      ...serviceEnv(topics),
      PORTENT_DETECTOR_GROUP_ID: uniqueName('detector'), PORTENT_DETECTOR_SESSION_TIMEOUT_MS: '6000', PORTENT_LOG_LEVEL: 'info',
      // Bloom snapshots with every checkpoint, so that a restore is exact (default: every 5 min, see the README); small filters keep that cheap.
      PORTENT_DETECTOR_BLOOM_SNAPSHOT_INTERVAL_MS: '0', PORTENT_DETECTOR_BLOOM_BITS: '20',
    };

    const a = await startDetector('a', env, logDir);
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, toMinute: 14 });
    await readUntil(transport, topics.alerts, (r) => decodeAlerts(r).some((x) => x.state === 'FIRING'));

    const b = await startDetector('b', env, logDir);
    // Kill A while it is busy with the next minutes (whatever it had produced but not committed is repeated by B).
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute: 14, toMinute: 20 });
    await a.kill();
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute: 20 });

    const alerts = decodeAlerts(await readUntil(transport, topics.alerts, (r) => decodeAlerts(r).some((x) => x.state === 'RESOLVED'), 90_000));
    // One surge, one id; a state repeated after the crash is the same state.
    expect(new Set(alerts.filter((x) => x.state === 'FIRING').map((x) => x.alertId)).size).toBe(1);
    const bySequence = new Map<number, string>();
    for (const x of alerts) {
      expect(x.alertId).toBe(alerts[0]?.alertId);
      const seen = bySequence.get(x.sequence);
      if (seen !== undefined) expect(essentials(x)).toBe(seen);
      bySequence.set(x.sequence, essentials(x));
    }
    expect([...bySequence.keys()].sort((p, q) => p - q)).toEqual([...Array(bySequence.size).keys()]);

    // Every port has every window from minute 0 to 26 (closed by minute 27's events), each once or repeated with the same figures.
    const ports = ['tcp/22', 'tcp/23', 'tcp/80', 'tcp/3389', 'udp/53', 'tcp/445'];
    const windows = (rs: InRecord[]) => {
      const seen = new Map<string, string>();
      for (const r of rs) {
        const s = portStatsCodec.decode(r.value ?? Buffer.alloc(0));
        const key = `${r.key ?? ''}@${(s.windowStart - DEMO_START) / 60_000}`;
        const value = JSON.stringify(s);
        expect(seen.get(key) ?? value).toBe(value);
        seen.set(key, value);
      }
      return seen;
    };
    const stats = windows(await readUntil(transport, topics.portStats, (rs) => windows(rs).size >= ports.length * 27, 60_000));
    for (const port of ports) for (let m = 0; m < 27; m++) expect(stats.has(`${port}@${m}`), `${port} minute ${m}`).toBe(true);
    // Every window as an uninterrupted run counts it, new sources and DSC included.
    const reference = await uninterrupted(transport, topics.connections, env, DEMO_START);
    for (const port of ports) {
      for (let m = 0; m < 27; m++) {
        const key = `${port}@${m}`;
        const { newSources, dscSources } = JSON.parse(stats.get(key) ?? '{}') as PortStats;
        expect({ key, newSources, dscSources }).toEqual({ key, newSources: reference.get(key)?.newSources, dscSources: reference.get(key)?.dscSources });
      }
    }
    expect(readFileSync(b.logFile, 'utf8')).toMatch(/partition state restored/);
  });
});
