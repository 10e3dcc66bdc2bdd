import { describe, expect, it } from 'vitest';
import { toBatches } from '../../../../services/sensor/batching.ts';
import { SCENARIOS, scenarioMinute, wormInfected } from '../../../../services/sensor/scenarios/generate.ts';

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

describe('named scenarios', () => {
  const scenario = (name: string) => {
    const s = SCENARIOS[name];
    if (s === undefined) throw new Error(`${name} missing`);
    return s;
  };

  it('simulates a day of background with a daily rhythm, cheaply', () => {
    const day = scenario('diurnal-day');
    expect(day.minutes).toBe(1440);
    const at = (m: number) => new Set(scenarioMinute(day, 1, T0, m).filter((e) => e.dstPort === 22).map((e) => e.srcIp)).size;
    expect(at(18 * 60)).toBeGreaterThan(1.8 * at(6 * 60));
  });

  it('sweeps tcp/445 with a fast climb, a plateau and a decline', () => {
    const sweep = scenario('botnet-sweep');
    const at = (m: number) => new Set(scenarioMinute(sweep, 1, T0, m).filter((e) => e.dstPort === 445).map((e) => e.srcIp)).size;
    expect(at(12)).toBeGreaterThan(10 * at(5));
    expect(at(20)).toBeLessThan(at(14) / 10);
  });

  it('lets worm victims in the monitored space scan after they were scanned (destination then source)', () => {
    const worm = scenario('worm');
    const model = worm.worm;
    if (model === undefined) throw new Error('worm model missing');
    expect(wormInfected(model, 9)).toBe(0);
    expect(wormInfected(model, 20) / wormInfected(model, 10)).toBeGreaterThan(8);
    const destinations = new Set<string>();
    let correlated = 0;
    for (let m = 10; m < 34; m++) {
      const events = scenarioMinute(worm, 1, T0, m).filter((e) => e.dstPort === 445);
      correlated += new Set(events.filter((e) => destinations.has(e.srcIp)).map((e) => e.srcIp)).size;
      for (const e of events) destinations.add(e.dstIp);
    }
    expect(correlated).toBeGreaterThan(0);
  });
});
