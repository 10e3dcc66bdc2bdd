/**
 * The Bloom filters move with their partition (bloom-checkpoint.ts): after
 * kill -9, the successor restores them with the partition's checkpoint, so
 * new-source and DSC counts of the windows that follow are the counts of an
 * uninterrupted run. Checkpoints (and Bloom snapshots) after every batch, so
 * the successor starts from late in the log, where the filters are full.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portStatsCodec } from '../../../../services/common/avro/codecs.ts';
import type { PortStats } from '../../../../services/common/avro/generated-types.ts';
import type { InRecord } from '../../../../services/common/kafka/transport.ts';
import { startDetectorProcess as startDetector } from '../../../support/detector-process.ts';
import { createTestTopics, readUntil, serviceEnv, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';
import { uninterrupted } from './uninterrupted.ts';
import { testDir } from '../../../support/temp-dir.ts';

const PORTS = ['tcp/22', 'tcp/23', 'tcp/80', 'tcp/3389', 'udp/53', 'tcp/445'];

/** The latest port-stats of each `<port>@<minute>`. */
function windows(rs: InRecord[]): Map<string, PortStats> {
  const seen = new Map<string, PortStats>();
  for (const r of rs) {
    const s = portStatsCodec.decode(r.value ?? Buffer.alloc(0));
    seen.set(`${r.key ?? ''}@${(s.windowStart - DEMO_START) / 60_000}`, s);
  }
  return seen;
}
const through = (rs: InRecord[], minute: number): boolean => {
  const w = windows(rs);
  return PORTS.every((p) => w.has(`${p}@${minute}`));
};

describe('detector Bloom filters across a failover (real processes, real broker)', () => {
  it('counts new sources and DSC after kill -9 and a restore as an uninterrupted run does', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);
    const logDir = testDir('bloom-failover');
    const env = {
      ...serviceEnv(topics),
      PORTENT_DETECTOR_GROUP_ID: uniqueName('detector'), PORTENT_DETECTOR_SESSION_TIMEOUT_MS: '6000', PORTENT_LOG_LEVEL: 'info',
      PORTENT_DETECTOR_CHECKPOINT_INTERVAL_MS: '0', PORTENT_DETECTOR_BLOOM_SNAPSHOT_INTERVAL_MS: '0', PORTENT_DETECTOR_BLOOM_BITS: '20',
    };

    const a = await startDetector('a', env, logDir);
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, toMinute: 14 });
    // Minute 12's windows closed: A has counted (and checkpointed) past minute 12 on every partition.
    await readUntil(transport, topics.portStats, (rs) => through(rs, 12));
    await a.kill();

    const b = await startDetector('b', env, logDir);
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, fromMinute: 14 });
    const stats = windows(await readUntil(transport, topics.portStats, (rs) => through(rs, 26), 90_000));

    const reference = await uninterrupted(transport, topics.connections, env, DEMO_START);
    let counted = 0;
    for (const port of PORTS) {
      for (let m = 0; m < 27; m++) {
        const key = `${port}@${m}`;
        const got = stats.get(key);
        const want = reference.get(key);
        expect({ key, newSources: got?.newSources, dscSources: got?.dscSources }).toEqual({ key, newSources: want?.newSources, dscSources: want?.dscSources });
        counted += got?.newSources ?? 0;
      }
    }
    expect(counted).toBeGreaterThan(0);
    // B restored the filters from a snapshot (the log names the snapshot id; null would mean empty filters).
    expect(readFileSync(b.logFile, 'utf8')).toMatch(/"bloom":"\d+","msg":"partition state restored"/);
  });
});
