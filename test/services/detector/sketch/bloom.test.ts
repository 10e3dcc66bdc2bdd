import { describe, expect, it } from 'vitest';
import { RotatingBloom } from '../../../../services/detector/sketch/bloom.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('RotatingBloom', () => {
  it('remembers what was added and rarely claims what was not (measured false-positive rate)', () => {
    const bloom = new RotatingBloom(22);
    bloom.advance(0);
    const n = 200_000; // 2^22 bits / 200k keys = 21 bits per key
    for (let i = 0; i < n; i++) bloom.put(445, i * 2654435761);
    let missing = 0;
    for (let i = 0; i < n; i++) if (!bloom.has(445, i * 2654435761)) missing += 1;
    let false_ = 0;
    for (let i = 0; i < n; i++) if (bloom.has(446, i * 2654435761)) false_ += 1;
    expect(missing).toBe(0);
    expect(false_ / n).toBeLessThan(0.002);
  });

  it('forgets a key one to two days after it was last added', () => {
    const bloom = new RotatingBloom(16);
    bloom.advance(0);
    bloom.put(22, 7);
    bloom.advance(DAY + 1);
    expect(bloom.has(22, 7)).toBe(true);
    bloom.advance(2 * DAY + 1);
    expect(bloom.has(22, 7)).toBe(false);
  });
});
