import { describe, expect, it } from 'vitest';
import { Baseline } from '../../../services/detector/baseline.ts';

describe('Baseline', () => {
  it('is the plain mean during warm-up and warm afterwards', () => {
    const b = new Baseline({ alpha: 0.1, warmupWindows: 3 });
    b.learn(10);
    b.learn(20);
    expect(b.warm).toBe(false);
    b.learn(30);
    expect(b.mean).toBeCloseTo(20);
    expect(b.warm).toBe(true);
  });

  it('moves by alpha of the difference after warm-up, so one spike barely shifts it', () => {
    const b = new Baseline({ alpha: 0.1, warmupWindows: 1 });
    b.learn(20);
    b.learn(220);
    expect(b.mean).toBeCloseTo(40);
  });
});
