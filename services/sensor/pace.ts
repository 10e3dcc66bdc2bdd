/**
 * Replay pacing for file inputs: `speed` data seconds per wall second (1 =
 * as captured, 10 = ten times faster, 0 = as fast as possible). Only when
 * events are handed on is paced; their event times always stay those of the
 * data, so detection results do not depend on the replay speed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionEvent } from '../common/avro/generated-types.ts';
import type { Clock } from '../common/clock.ts';

/** Sleeping is only worth it for gaps longer than this. */
const MIN_SLEEP_MS = 20;

export function paced(
  emit: (events: ConnectionEvent[]) => Promise<void>,
  speed: number,
  signal: AbortSignal,
  now: Clock,
): (events: ConnectionEvent[]) => Promise<void> {
  if (speed <= 0) return emit;
  let origin: { data: number; wall: number } | undefined;
  return async (events) => {
    let from = 0;
    for (let i = 0; i < events.length; i++) {
      const t = events[i]?.eventTime ?? 0;
      origin ??= { data: t, wall: now() };
      const wait = origin.wall + (t - origin.data) / speed - now();
      if (wait < MIN_SLEEP_MS) continue;
      if (i > from) await emit(events.slice(from, i));
      from = i;
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
    if (from < events.length) await emit(from === 0 ? events : events.slice(from));
  };
}
