import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { paced } from '../../../services/sensor/pace.ts';
import { systemClock } from '../../../services/common/clock.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const ev = (offsetMs: number): ConnectionEvent => ({ eventTime: T0 + offsetMs, protocol: 'TCP', srcIp: '203.0.113.5', srcPort: 1, dstIp: '198.51.100.7', dstPort: 445, outcome: 'ATTEMPT' });

async function replay(speed: number, events: ConnectionEvent[]): Promise<{ out: ConnectionEvent[]; wallMs: number }> {
  const out: ConnectionEvent[] = [];
  const emit = paced((e) => {
    out.push(...e);
    return Promise.resolve();
  }, speed, new AbortController().signal, systemClock);
  const start = performance.now();
  await emit(events.slice(0, 2));
  await emit(events.slice(2));
  return { out, wallMs: performance.now() - start };
}

describe('replay pacing', () => {
  const events = [ev(0), ev(1000), ev(2000), ev(3000), ev(4000)];

  it('spreads events over data time divided by the speed, keeping their event times', async () => {
    const { out, wallMs } = await replay(20, events);
    expect(out.map((e) => e.eventTime)).toEqual(events.map((e) => e.eventTime));
    expect(wallMs).toBeGreaterThanOrEqual(4000 / 20 - 5);
  });

  it('does not wait at speed 0', async () => {
    const { out, wallMs } = await replay(0, [ev(0), ev(3_600_000), ev(7_200_000)]);
    expect(out).toHaveLength(3);
    expect(wallMs).toBeLessThan(100);
  });
});
