import { describe, expect, it } from 'vitest';
import { Baseline } from '../../../services/detector/baseline.ts';

const opts = { baselineWindows: 10, warmupWindows: 3, factor: 3, madK: 6, minSources: 20 };

describe('Baseline', () => {
  it('has no threshold until warm', () => {
    const b = new Baseline(opts);
    b.learn(10);
    b.learn(20);
    expect(b.warm).toBe(false);
    b.learn(30);
    expect(b.level).toBe(20);
    expect(b.warm).toBe(true);
  });

  it('ignores a minority of outlying windows (median, not mean)', () => {
    const b = new Baseline(opts);
    for (const x of [30, 31, 29, 500, 30, 30, 900, 31, 30]) b.learn(x);
    expect(b.level).toBe(30);
    expect(b.threshold).toBe(90);
  });

  it('widens the threshold on a port whose counts swing a lot', () => {
    const b = new Baseline(opts);
    for (const x of [100, 160, 40, 100, 180, 20, 100]) b.learn(x);
    expect(b.threshold).toBeGreaterThan(3 * b.level);
  });

  it('forgets windows older than its ring, so it follows a daily rhythm', () => {
    const b = new Baseline(opts);
    for (let i = 0; i < 10; i++) b.learn(30);
    for (let i = 0; i < 10; i++) b.learn(60);
    expect(b.level).toBe(60);
  });

  it('keeps the floor on a quiet port', () => {
    const b = new Baseline(opts);
    for (const x of [2, 2, 3]) b.learn(x);
    expect(b.threshold).toBe(20);
  });
});
