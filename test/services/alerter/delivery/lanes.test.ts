import { describe, expect, it } from 'vitest';
import { DeliveryLanes } from '../../../../services/alerter/delivery/lanes.ts';
import { systemClock } from '../../../../services/common/clock.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DeliveryLanes', () => {
  it('runs tasks with the same key one after another, even when the first fails', async () => {
    const lanes = new DeliveryLanes({ concurrency: 10, ratePerSecond: 1_000 }, systemClock);
    const order: string[] = [];
    let releaseFiring: () => void = () => undefined;
    const firing = lanes.ordered('sub|a', async () => {
      order.push('firing start');
      await new Promise<void>((resolve) => (releaseFiring = resolve));
      order.push('firing end');
      throw new Error('exhausted');
    });
    const resolved = lanes.ordered('sub|a', () => {
      order.push('resolved');
      return Promise.resolve();
    });
    const other = lanes.ordered('sub|b', () => {
      order.push('other alert');
      return Promise.resolve();
    });
    await other;
    await tick();
    expect(order).toEqual(['firing start', 'other alert']);
    releaseFiring();
    await expect(firing).rejects.toThrow('exhausted');
    await resolved;
    expect(order).toEqual(['firing start', 'other alert', 'firing end', 'resolved']);
  });

  it('caps attempts in flight per subscription without limiting other subscriptions', async () => {
    const lanes = new DeliveryLanes({ concurrency: 2, ratePerSecond: 1_000 }, systemClock);
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const releases: (() => void)[] = [];
    const run = (sub: string) =>
      lanes.attempt(sub, async () => {
        inFlight.set(sub, (inFlight.get(sub) ?? 0) + 1);
        peak.set(sub, Math.max(peak.get(sub) ?? 0, inFlight.get(sub) ?? 0));
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight.set(sub, (inFlight.get(sub) ?? 0) - 1);
      });
    const all = [...Array.from({ length: 5 }, () => run('slow')), run('fast')];
    while (releases.length < 3) await tick();
    expect(inFlight.get('slow')).toBe(2);
    expect(inFlight.get('fast')).toBe(1);
    while (releases.length > 0 || [...inFlight.values()].some((n) => n > 0)) {
      releases.shift()?.();
      await tick();
    }
    await Promise.all(all);
    expect(peak.get('slow')).toBe(2);
  });

  it('throttles attempts per subscription to the configured rate', async () => {
    const lanes = new DeliveryLanes({ concurrency: 100, ratePerSecond: 20 }, systemClock);
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => lanes.attempt('sub', () => Promise.resolve())));
    // 20 from the full bucket at once, the other 10 at 20/s: about half a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
