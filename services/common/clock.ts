/**
 * The one wall clock.
 *
 * Every time-dependent decision in the services (secret grace periods,
 * silences, retry due times, checkpoint cadence, deadlines) reads the time
 * through a `Clock` handed down from `main.ts`; no module falls back to
 * `Date.now()` on its own. A test then fixes the time in one place and every
 * decision sees the same instant, whatever today's date is: a fixed clock in
 * the store and the real one in the webhook builder once let grace periods
 * expire in real time and broke the suite on a later date.
 *
 * Durations that only feed metrics (latency histograms) may use
 * `performance.now()` directly: no decision depends on them.
 */

/** Milliseconds since the Unix epoch, like `Date.now()`. */
export type Clock = () => number;

/** The machine's clock: what `main.ts` passes down. */
export const systemClock: Clock = () => Date.now();
