/**
 * Detection quality, end to end through the real broker (issue 4, item 9):
 * simulator scenarios -> connections topic -> detector pipeline -> alerts topic.
 * Scenarios run as fast as possible; event time makes the result the same as
 * in real time.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { advisoryCodec, alertCodec } from '../../../services/common/avro/codecs.ts';
import type { Advisory, Alert } from '../../../services/common/avro/generated-types.ts';
import type { TopicNames } from '../../../services/common/kafka/topics.ts';
import { loadDetectorConfig } from '../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../services/detector/stream/pipeline.ts';
import { SCENARIOS, wormInfected } from '../../../services/sensor/scenarios/generate.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../support/kafka.ts';
import { groupOffsets } from '../../support/offsets.ts';
import { publishScenario } from '../../support/scenario.ts';
import { systemClock } from '../../../services/common/clock.ts';

const START = Date.parse('2026-11-27T00:00:00Z');
const MIN = 60_000;
const RANK = ['NONE', 'LOW', 'ELEVATED', 'HIGH', 'CRITICAL'];
const ms05027: Advisory = {
  id: 'MS05-027', title: 'Vulnerability in Server Message Block could allow remote code execution',
  ports: [{ protocol: 'TCP', port: 139 }, { protocol: 'TCP', port: 445 }], severity: 'CRITICAL', published: START - 7 * 24 * 60 * MIN,
  workaround: 'Block TCP ports 139 and 445 at the firewall, inbound and outbound, until patched.', url: null,
};

/** Polls until the group has committed every record of `topic` (a "not the leader" answer while metadata settles is retried). */
async function allCommitted(groupId: string, topic: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const offsets = await groupOffsets(groupId, topic).catch(() => []);
    if (offsets.length > 0 && offsets.every((p) => p.committed >= p.end)) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not commit all of ${topic}: ${JSON.stringify(offsets)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs one scenario through a fresh detector and returns every alert it produced. */
async function detect(name: string, advisories: Advisory[] = []): Promise<Alert[]> {
  const transport = testTransport();
  const topics: TopicNames = await createTestTopics(transport);
  const producer = await testProducer(transport);
  await producer.send(topics.advisories, advisories.map((a) => ({ key: a.id, value: advisoryCodec.encode(a) })));
  const groupId = uniqueName('detector');
  const pipeline = startDetectorPipeline({ transport, producer, topics, config: { ...loadDetectorConfig({}), groupId }, logger: quietLogger, now: systemClock });
  onTestFinished(() => pipeline.close());
  await pipeline.started;
  await publishScenario(producer, topics.connections, name, { startMs: START, sensors: 4 });
  // Offsets are committed after a batch's alerts are acknowledged: once every record is committed, every alert is written.
  await allCommitted(groupId, topics.connections);
  const expected = pipeline.counters.alerts;
  if (expected === 0) return [];
  const records = await readUntil(transport, topics.alerts, (r) => r.length >= expected);
  return records.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)));
}

describe('detection quality (simulator scenarios through the real broker)', () => {
  it('botnet sweep: a surge within 2 windows of the onset, shaped as a spike, worm-risk at most elevated', async () => {
    const alerts = await detect('botnet-sweep', [ms05027]);
    const onset = START + 10 * MIN;
    const firing = alerts.filter((a) => a.state === 'FIRING');
    expect(firing.map((a) => [a.protocol, a.port])).toEqual([['TCP', 445]]);
    expect(firing[0]?.windowStart).toBeLessThan(onset + 2 * MIN);
    expect(alerts.at(-1)).toMatchObject({ state: 'RESOLVED', shape: 'SPIKE', alertId: firing[0]?.alertId });
    expect(Math.max(...alerts.map((a) => RANK.indexOf(a.wormRisk.level)))).toBeLessThanOrEqual(RANK.indexOf('ELEVATED'));
    // The alert explains itself: baseline, scanners, the advisory and its workaround.
    expect(firing[0]?.advisory).toMatchObject({ id: 'MS05-027', workaround: expect.stringContaining('139 and 445') as unknown });
    expect(firing[0]?.wormRisk.advisoryStage4).toBe(true);
    expect(firing[0]?.topScanners.length).toBeGreaterThan(0);
    expect(firing[0]?.baseline.distinctSources).toBeGreaterThan(15);
  });

  // Measured 0.72 % (the trend test holds a fast rate back until 6 doublings above the noise, so that an
  // S-shaped botnet ramp is not confirmed; see the detector README). The target is 0.5 % (issue 14).
  it('worm: worm-risk high before 1 % of the vulnerable population is infected', async () => {
    const model = SCENARIOS['worm']?.worm;
    if (model === undefined) throw new Error('worm model missing');
    const alerts = await detect('worm');
    const high = alerts.find((a) => RANK.indexOf(a.wormRisk.level) >= RANK.indexOf('HIGH'));
    expect(high).toMatchObject({ port: 445, shape: 'GROWING' });
    // Infected hosts by the end of the window the alert was decided in.
    const minute = ((high?.windowEnd ?? Number.POSITIVE_INFINITY) - START) / MIN;
    expect(wormInfected(model, minute) / model.vulnerable).toBeLessThan(0.01);
    expect(high?.wormRisk.doublingMinutes).toBeGreaterThan(1);
    expect(high?.reasons.join('\n')).toMatch(/doubling every [\d.]+ min/);
  });

  it('single heavy hitter: no surge', async () => {
    expect(await detect('heavy-hitter')).toEqual([]);
  });

  it('a simulated day of background with a daily rhythm: no surge', async () => {
    expect(await detect('diurnal-day')).toEqual([]);
  });
});
