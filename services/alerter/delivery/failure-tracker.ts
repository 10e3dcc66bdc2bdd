/**
 * Sustained failure, per subscription (Svix: "if all attempts to a specific
 * endpoint fail for a period of 5 days, the endpoint will be disabled").
 * A subscription is judged dead when its deliveries have run out of retries
 * at least `minFailures` times in a row over at least `afterMs`; any success
 * starts over. In memory per replica: each replica judges the deliveries it
 * made, and the first to decide writes the disable (idempotent).
 */
export class FailureTracker {
  readonly #afterMs: number;
  readonly #minFailures: number;
  readonly #streaks = new Map<string, { since: number; count: number }>();

  constructor(afterMs: number, minFailures = 3) {
    this.#afterMs = afterMs;
    this.#minFailures = minFailures;
  }

  succeeded(subscriptionId: string): void {
    this.#streaks.delete(subscriptionId);
  }

  /** Records an exhausted delivery; true when the subscription should now be disabled. */
  exhausted(subscriptionId: string, nowMs: number): boolean {
    const streak = this.#streaks.get(subscriptionId) ?? { since: nowMs, count: 0 };
    streak.count++;
    this.#streaks.set(subscriptionId, streak);
    return streak.count >= this.#minFailures && nowMs - streak.since >= this.#afterMs;
  }

  /** The time the current failure streak began, for the notice. */
  since(subscriptionId: string): number | undefined {
    return this.#streaks.get(subscriptionId)?.since;
  }
}
