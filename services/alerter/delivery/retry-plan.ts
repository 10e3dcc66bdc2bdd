/**
 * When to try a failed webhook again. Pure: the delivery loop supplies the
 * attempt number, the receiver's Retry-After header and a random source.
 *
 * Standard Webhooks, "Deliverability and reliability": "It's recommended to
 * also add some level of random jitter to retries to prevent cases where the
 * failures are due to recurring load caused by the webhook attempts
 * themselves." and "some responses may also include a `Retry-After` header
 * (e.g. `503 Service Unavailable`), which should be taken into consideration
 * when scheduling the next attempt."
 */

/** Each scheduled delay is stretched or shrunk by up to this fraction. */
export const JITTER = 0.2;

/** A receiver cannot park a delivery (and with it a partition) for longer than this. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * The delay before retry number `retry` (0 = the first retry, after attempt
 * 1), or undefined when the schedule has no more retries.
 *
 * Retry-After only ever lengthens the wait: a receiver asking for 1s when the
 * schedule says 30s gets 30s; one asking for 2 minutes gets 2 minutes (capped
 * at MAX_RETRY_AFTER_MS). It never adds retries beyond the schedule.
 */
export function nextDelay(schedule: readonly number[], retry: number, retryAfterMs: number | undefined, random: () => number): number | undefined {
  const base = schedule[retry];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 + (random() * 2 - 1) * JITTER));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/**
 * RFC 9110 §10.2.3: `Retry-After = HTTP-date / delay-seconds`. Returns
 * milliseconds from `nowMs`, or undefined when the header is absent or
 * unreadable (then the schedule alone decides).
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Number(value) * 1000;
  // A date must at least name a year; Date.parse alone accepts bare numbers such as '-1'.
  if (!/\d{4}/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
