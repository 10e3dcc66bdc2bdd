import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../common/clock.ts';

export interface LaneLimits {
  /** HTTP attempts in flight at once per subscription. */
  readonly concurrency: number;
  /** Attempts started per second per subscription (token bucket, burst = rate). */
  readonly ratePerSecond: number;
}

interface Lane {
  active: number;
  readonly waiting: (() => void)[];
  tokens: number;
  refilledAt: number;
}

/**
 * Per-subscription pacing and order, in memory. One subscription's slow or
 * dead receiver fills only its own lane: every other subscription keeps its
 * own slots and tokens.
 *
 * - `ordered(key, fn)`: runs after every earlier task with the same key has
 *   settled. Keyed by (subscription, alertId), it is what keeps a RESOLVED
 *   from overtaking its FIRING while the FIRING is still being retried.
 * - `attempt(subId, fn)`: waits for a free slot and a token, then runs one
 *   HTTP attempt.
 */
export class DeliveryLanes {
  readonly #limits: LaneLimits;
  readonly #lanes = new Map<string, Lane>();
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #now: () => number;

  constructor(limits: LaneLimits, now: Clock) {
    this.#limits = limits;
    this.#now = now;
  }

  ordered<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#chains.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#chains.set(key, settled);
    // Forget the chain once it is idle, so keys do not pile up.
    void settled.then(() => {
      if (this.#chains.get(key) === settled) this.#chains.delete(key);
    });
    return run;
  }

  async attempt<T>(subscriptionId: string, fn: () => Promise<T>): Promise<T> {
    const lane = this.#lane(subscriptionId);
    while (lane.active >= this.#limits.concurrency) await new Promise<void>((resolve) => lane.waiting.push(resolve));
    lane.active++;
    try {
      await this.#takeToken(lane);
      return await fn();
    } finally {
      lane.active--;
      lane.waiting.shift()?.();
      if (lane.active === 0 && lane.waiting.length === 0 && lane.tokens >= this.#limits.ratePerSecond) this.#lanes.delete(subscriptionId);
    }
  }

  async #takeToken(lane: Lane): Promise<void> {
    for (;;) {
      const now = this.#now();
      lane.tokens = Math.min(this.#limits.ratePerSecond, lane.tokens + ((now - lane.refilledAt) / 1000) * this.#limits.ratePerSecond);
      lane.refilledAt = now;
      if (lane.tokens >= 1) {
        lane.tokens -= 1;
        return;
      }
      await delay(Math.ceil(((1 - lane.tokens) / this.#limits.ratePerSecond) * 1000));
    }
  }

  #lane(id: string): Lane {
    let lane = this.#lanes.get(id);
    if (lane === undefined) {
      lane = { active: 0, waiting: [], tokens: this.#limits.ratePerSecond, refilledAt: this.#now() };
      this.#lanes.set(id, lane);
    }
    return lane;
  }
}
