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

describe('RotatingBloom.pair', () => {
  it('keeps the two filters apart while sharing their memory and their rotation', () => {
    const [sources, destinations] = RotatingBloom.pair(21);
    sources.advance(0);
    const n = 100_000; // 2 · 2^21 bits for 2 · 100k keys: 21 bits per key, as above
    for (let i = 0; i < n; i++) sources.put(445, i * 2654435761);
    for (let i = 0; i < n; i++) destinations.put(445, (i + n) * 2654435761);
    let missing = 0;
    let crossed = 0;
    for (let i = 0; i < n; i++) {
      if (!sources.has(445, i * 2654435761) || !destinations.has(445, (i + n) * 2654435761)) missing += 1;
      if (destinations.has(445, i * 2654435761)) crossed += 1;
    }
    expect(missing).toBe(0);
    expect(crossed / n).toBeLessThan(0.002);
    expect(sources.bytes + destinations.bytes).toBe(new RotatingBloom(21).bytes * 2);
    destinations.advance(2 * DAY + 1);
    expect(sources.has(445, 0)).toBe(false);
  });
});
