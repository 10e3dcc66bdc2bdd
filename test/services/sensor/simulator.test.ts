import { describe, expect, it } from 'vitest';
import { toBatches } from '../../../services/sensor/batching.ts';
import { SCENARIOS, scenarioMinute } from '../../../services/sensor/simulator.ts';

const found = SCENARIOS['demo'];
if (found === undefined) throw new Error('demo scenario missing');
const demo = found;
const T0 = Date.parse('2026-11-27T08:00:00Z');
const sources = (minute: number, port: number): number =>
  new Set(scenarioMinute(demo, 1, T0, minute).filter((e) => e.dstPort === port).map((e) => e.srcIp)).size;

describe('demo scenario', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(scenarioMinute(demo, 1, T0, 3)).toEqual(scenarioMinute(demo, 1, T0, 3));
    expect(scenarioMinute(demo, 2, T0, 3)).not.toEqual(scenarioMinute(demo, 1, T0, 3));
  });

  it('keeps event times inside their scenario minute, in order', () => {
    const events = scenarioMinute(demo, 1, T0, 5);
    expect(events.every((e) => e.eventTime >= T0 + 5 * 60_000 && e.eventTime < T0 + 6 * 60_000)).toBe(true);
    expect(events.map((e) => e.eventTime)).toEqual(events.map((e) => e.eventTime).sort((a, b) => a - b));
  });

  it('climbs, holds and declines on tcp/445 while other ports stay flat', () => {
    expect(sources(5, 445)).toBe(25);
    expect(sources(14, 445)).toBe(450);
    expect(sources(20, 445)).toBe(25);
    expect(sources(14, 22)).toBe(40);
  });
});

describe('toBatches', () => {
  it('keys batches by protocol/port and caps their size', () => {
    const batches = toBatches('s1', scenarioMinute(demo, 1, T0, 14), 100);
    expect(new Set(batches.map((b) => b.key))).toEqual(new Set(['tcp/22', 'tcp/23', 'tcp/80', 'tcp/3389', 'udp/53', 'tcp/445']));
    expect(batches.every((b) => b.batch.events.length <= 100 && b.batch.events.every((e) => `${e.protocol.toLowerCase()}/${e.dstPort}` === b.key))).toBe(true);
  });
});
