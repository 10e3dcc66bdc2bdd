import { describe, expect, it } from 'vitest';
import { DURATION_LIST_PATTERN, parseDuration, parseDurationList } from '../../../services/alerter/duration.ts';

describe('parseDuration', () => {
  it('reads ms, s, m, h and d', () => {
    expect(['500ms', '5s', '5m', '2h', '1d'].map(parseDuration)).toEqual([500, 5_000, 300_000, 7_200_000, 86_400_000]);
  });

  it('rejects bare numbers, unknown units and fractions', () => {
    expect(['30', '5sec', '1.5s', '-1s', '', 's'].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('parseDurationList', () => {
  it('splits on commas and trims', () => {
    expect(parseDurationList(' 1s , 5s,30s ')).toEqual([1_000, 5_000, 30_000]);
  });

  it('fails the whole list when one item is not a duration', () => {
    expect(parseDurationList('1s,later')).toBeUndefined();
  });

  it('agrees with the schema pattern', () => {
    const pattern = new RegExp(DURATION_LIST_PATTERN, 'u');
    for (const text of ['', '1s', ' 1s , 5m', '500ms,2h,1d', '1s,', '1s,,2s', '30', 'x']) {
      expect(pattern.test(text), text).toBe(parseDurationList(text) !== undefined);
    }
  });
});
