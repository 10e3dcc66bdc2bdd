import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, nextDelay, parseRetryAfter } from '../../../../services/alerter/delivery/retry-plan.ts';

const schedule = [1_000, 5_000, 30_000];

describe('nextDelay', () => {
  it('follows the schedule, one entry per retry, then stops', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3].map((retry) => nextDelay(schedule, retry, undefined, mid))).toEqual([1_000, 5_000, 30_000, undefined]);
  });

  it('jitters by at most 20% either way', () => {
    expect(nextDelay(schedule, 2, undefined, () => 0)).toBe(24_000);
    expect(nextDelay(schedule, 2, undefined, () => 0.999_999)).toBe(36_000);
  });

  it('waits as long as Retry-After asks when that is longer', () => {
    expect(nextDelay(schedule, 0, 120_000, () => 0.5)).toBe(120_000);
  });

  it('keeps the schedule when Retry-After asks for less', () => {
    expect(nextDelay(schedule, 2, 2_000, () => 0.5)).toBe(30_000);
  });

  it('caps Retry-After at an hour', () => {
    expect(nextDelay(schedule, 0, 10 * MAX_RETRY_AFTER_MS, () => 0.5)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('never adds retries for a Retry-After', () => {
    expect(nextDelay(schedule, 3, 60_000, () => 0.5)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T08:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 08:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect([null, '', 'soon', '-1', '1.5'].map((v) => parseRetryAfter(v, now))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
