import type { DeliveryFailureReason } from '../errors.ts';

/**
 * When to try a failed webhook again: the one place that answers "next
 * delay, or final?". The delivery loop, the hand-off to the retry topic and
 * the retry worker all ask it. Pure: callers supply the attempt number, the
 * receiver's Retry-After and (at construction) a random source.
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

/** What to do after a failed attempt. */
export type RetryDecision = { readonly final: true } | { readonly final: false; readonly delayMs: number };

const FINAL: RetryDecision = { final: true };

export class RetryPlan {
  readonly #schedule: readonly number[];
  readonly #random: () => number;

  /** `schedule`: the delay before each retry (PORTENT_ALERTER_RETRY_SCHEDULE); `random` in [0, 1) pins the jitter in tests. */
  constructor(schedule: readonly number[], random: () => number = Math.random) {
    this.#schedule = schedule;
    this.#random = random;
  }

  /** One attempt and no retry: a test ping. */
  static once(): RetryPlan {
    return new RetryPlan([]);
  }

  /**
   * After attempt `attempt` (1-based) failed for `reason`: the delay before
   * the next one, or final. 410 Gone (the receiver asked us to stop) and an
   * address the SSRF guard refuses (retrying cannot help) are final at once;
   * otherwise one retry per schedule entry. Retry-After only ever lengthens
   * the wait (capped at MAX_RETRY_AFTER_MS) and never adds retries.
   */
  next(attempt: number, reason: DeliveryFailureReason, retryAfterMs?: number): RetryDecision {
    if (reason === 'gone' || reason === 'blocked') return FINAL;
    const base = this.#schedule[attempt - 1];
    if (base === undefined) return FINAL;
    const jittered = Math.round(base * (1 + (this.#random() * 2 - 1) * JITTER));
    return { final: false, delayMs: retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)) };
  }

  /**
   * The longest the retries after attempt `attempt` can still take: every
   * remaining delay at its largest (full jitter, or the Retry-After cap),
   * plus one `attemptMs` per attempt. A hand-off keeps later states of the
   * same alert behind it for this long.
   */
  remainingMs(attempt: number, attemptMs: number): number {
    const rest = this.#schedule.slice(attempt);
    return rest.reduce((sum, d) => sum + Math.max(Math.ceil(d * (1 + JITTER)), MAX_RETRY_AFTER_MS) + attemptMs, 0);
  }
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
