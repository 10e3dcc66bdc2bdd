import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { scenarioMinute } from './generate.ts';
import type { Scenario } from './generate.ts';

export interface ReplayOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Event time of scenario minute 0, epoch ms. */
  readonly startMs: number;
  /** Scenario seconds per wall-clock second; 0 runs as fast as possible. Event times are the same either way. */
  readonly speed: number;
  readonly publish: (events: ConnectionEvent[]) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

const SLICE_MS = 10_000;

/**
 * Plays a scenario in 10-second slices of scenario time, pacing each slice to
 * `speed`. Stops between slices when `signal` aborts; a slice in flight is
 * always published whole.
 */
export async function replayScenario(opts: ReplayOptions): Promise<{ events: number }> {
  const now = opts.now ?? Date.now;
  const wallStart = now();
  let published = 0;
  for (let minute = 0; minute < opts.scenario.minutes; minute++) {
    const events = scenarioMinute(opts.scenario, opts.seed, opts.startMs, minute);
    for (let slice = 0; slice < 60_000 / SLICE_MS; slice++) {
      if (opts.signal?.aborted === true) return { events: published };
      const from = opts.startMs + minute * 60_000 + slice * SLICE_MS;
      const part = events.filter((e) => e.eventTime >= from && e.eventTime < from + SLICE_MS);
      await opts.publish(part);
      published += part.length;
      if (opts.speed > 0) {
        const due = wallStart + (from + SLICE_MS - opts.startMs) / opts.speed;
        const wait = due - now();
        if (wait > 0) await sleep(wait, undefined, opts.signal === undefined ? {} : { signal: opts.signal }).catch(() => undefined);
      }
    }
  }
  return { events: published };
}
