import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { portNumber, subKeyOf, toBatches } from '../../../services/sensor/batching.ts';
import { loadSensorConfig } from '../../../services/sensor/config.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const event = (src: string, dst: string, port: number, i: number): ConnectionEvent => ({
  eventTime: T0 + i, protocol: 'TCP', srcIp: src, srcPort: 40000 + (i % 1000), dstIp: dst, dstPort: port, outcome: 'ATTEMPT',
});
const sources = Array.from({ length: 2000 }, (_, i) => `198.51.${Math.floor(i / 250)}.${i % 250}`);
const hot = { ports: new Set([portNumber('TCP', 445)]), split: 4 };

describe('hot-port sub-keys', () => {
  it('publishes a hot port under tcp/445#k/4, one source always under the same k, other ports unchanged', () => {
    const events = sources.flatMap((s, i) => [event(s, `203.0.113.${i % 200}`, 445, i), event(s, '203.0.113.9', 22, i)]);
    const first = toBatches('s1', events, 500, hot);
    // Another sensor, another order, other batch sizes: the same source lands in the same sub-key.
    const second = toBatches('s2', [...events].reverse(), 77, hot);
    const keyOfSource = new Map<string, string>();
    for (const { key, batch } of [...first, ...second]) {
      for (const e of batch.events) {
        if (e.dstPort === 22) {
          expect(key).toBe('tcp/22');
          continue;
        }
        expect(key).toMatch(/^tcp\/445#[0-3]\/4$/);
        expect(keyOfSource.get(e.srcIp) ?? key).toBe(key);
        keyOfSource.set(e.srcIp, key);
      }
    }
    expect(first.reduce((n, b) => n + b.batch.events.length, 0)).toBe(events.length);
    expect(first.every((b) => b.batch.events.length <= 500)).toBe(true);
  });

  it('spreads sources evenly over the sub-keys', () => {
    const counts = [0, 0, 0, 0, 0, 0, 0, 0];
    for (const s of sources) counts[subKeyOf(s, 8)] = (counts[subKeyOf(s, 8)] ?? 0) + 1;
    // 2,000 sources over 8 sub-keys: 250 each expected; binomial sd ≈ 15.
    for (const c of counts) expect(Math.abs(c - 250)).toBeLessThan(75);
  });

  it('is off unless configured; the sensor setting names the ports and the split', () => {
    const events = sources.slice(0, 10).map((s, i) => event(s, '203.0.113.1', 445, i));
    expect(new Set(toBatches('s1', events, 500).map((b) => b.key))).toEqual(new Set(['tcp/445']));
    const config = loadSensorConfig({ PORTENT_SENSOR_HOT_PORTS: 'tcp/445, udp/1434', PORTENT_SENSOR_HOT_PORT_SPLIT: '16' }, T0);
    expect(config.hotPorts?.split).toBe(16);
    expect([...(config.hotPorts?.ports ?? [])]).toEqual([portNumber('TCP', 445), portNumber('UDP', 1434)]);
    expect(loadSensorConfig({}, T0).hotPorts).toBeUndefined();
    expect(() => loadSensorConfig({ PORTENT_SENSOR_HOT_PORTS: 'tcp445' }, T0)).toThrow(/PORTENT_SENSOR_HOT_PORTS/);
    expect(() => loadSensorConfig({ PORTENT_SENSOR_HOT_PORTS: 'tcp/70000' }, T0)).toThrow(/not a port/);
    expect(() => loadSensorConfig({ PORTENT_SENSOR_HOT_PORTS: 'tcp/445', PORTENT_SENSOR_HOT_PORT_SPLIT: '1' }, T0)).toThrow(/HOT_PORT_SPLIT/);
  });
});
