import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, RetryPlan } from '../../../../services/alerter/delivery/retry-plan.ts';

const schedule = [1_000, 5_000, 30_000];
const mid = new RetryPlan(schedule, () => 0.5);
const delay = (plan: RetryPlan, attempt: number, retryAfterMs?: number): number | 'final' => {
  const next = plan.next(attempt, 'status', retryAfterMs);
  return next.final ? 'final' : next.delayMs;
};

describe('RetryPlan', () => {
  it('follows the schedule, one entry per retry, then is final', () => {
    expect([1, 2, 3, 4].map((attempt) => delay(mid, attempt))).toEqual([1_000, 5_000, 30_000, 'final']);
  });

  it('jitters by at most 20% either way', () => {
    expect(delay(new RetryPlan(schedule, () => 0), 3)).toBe(24_000);
    expect(delay(new RetryPlan(schedule, () => 0.999_999), 3)).toBe(36_000);
  });

  it('waits as long as Retry-After asks when that is longer, capped at an hour', () => {
    expect(delay(mid, 1, 120_000)).toBe(120_000);
    expect(delay(mid, 1, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('keeps the schedule when Retry-After asks for less, and never adds retries for one', () => {
    expect(delay(mid, 3, 2_000)).toBe(30_000);
    expect(delay(mid, 4, 60_000)).toBe('final');
  });

  it('is final at once for 410 Gone and for an address the SSRF guard refuses', () => {
    expect(mid.next(1, 'gone')).toEqual({ final: true });
    expect(mid.next(1, 'blocked')).toEqual({ final: true });
    expect(mid.next(1, 'timeout')).toEqual({ final: false, delayMs: 1_000 });
  });

  it('tries a test ping once', () => {
    expect(RetryPlan.once().next(1, 'network')).toEqual({ final: true });
  });

  it('bounds how long the remaining retries can last, Retry-After cap and attempts included', () => {
    expect(mid.remainingMs(1, 10_000)).toBe(2 * (MAX_RETRY_AFTER_MS + 10_000));
    expect(mid.remainingMs(3, 10_000)).toBe(0);
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
