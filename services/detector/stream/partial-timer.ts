/**
 * Ships a hot port's partial windows that fall due after the last batch of
 * their partition. Partials are otherwise taken at the end of each batch, so
 * on a partition that goes quiet an open window changed within the partial
 * interval of its last shipment would wait for more traffic or for the
 * window's close, and the split port's FIRING with it.
 *
 * One timer per partition, armed after each batch for the stage's next due
 * time and cancelled when the next batch of the partition starts: the timer
 * never runs while a batch of its partition is being applied, so it sees the
 * detector's state between batches, as the end-of-batch shipment does.
 */
import type { Clock } from '../../common/clock.ts';

export class PartialTimer {
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #busy = new Set<number>();
  readonly #ship: (partition: number) => Promise<number | undefined>;
  readonly #now: () => number;

  /** `ship` sends the partition's due partials and returns the next due time, if any. */
  constructor(ship: (partition: number) => Promise<number | undefined>, now: Clock) {
    this.#ship = ship;
    this.#now = now;
  }

  /** A batch of `partition` starts: no timed shipment until it has been applied. */
  batchStarted(partition: number): void {
    this.#busy.add(partition);
    this.#cancel(partition);
  }

  /** The batch is applied (or failed); `dueAt` is when the partition's next partials are due. */
  batchEnded(partition: number, dueAt: number | undefined): void {
    this.#busy.delete(partition);
    this.#arm(partition, dueAt);
  }

  /** The partition is gone (revoked, failed): forget its timer. */
  forget(partition: number): void {
    this.#cancel(partition);
  }

  close(): void {
    for (const p of [...this.#timers.keys()]) this.#cancel(p);
  }

  #arm(partition: number, dueAt: number | undefined): void {
    this.#cancel(partition);
    if (dueAt === undefined) return;
    const timer = setTimeout(() => {
      this.#timers.delete(partition);
      if (this.#busy.has(partition)) return;
      void this.#ship(partition).then(
        (next) => {
          if (!this.#busy.has(partition)) this.#arm(partition, next);
        },
        () => undefined,
      );
    }, Math.max(0, dueAt - this.#now()));
    timer.unref();
    this.#timers.set(partition, timer);
  }

  #cancel(partition: number): void {
    const timer = this.#timers.get(partition);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(partition);
  }
}
