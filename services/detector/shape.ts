import type { SurgeShape } from '../common/avro/generated-types.ts';

/**
 * The shape of a surge, from the distinct sources of its windows since onset.
 *
 * - GROWING: the growth test (growth.ts) holds: still rising at a steady rate.
 * - SPIKE: it has fallen below half its peak within `spikeMaxWindows` (15) of
 *   its onset: a quick climb and decline, the botnet reconnaissance of the
 *   seed story ("try before you buy"). A plateau inside that span is still a
 *   spike: what matters is that it ends quickly.
 * - SUSTAINED: at least 3 windows long and neither of the above.
 * - UNKNOWN: too early to tell.
 */
export interface ShapeOptions {
  readonly spikeMaxWindows: number;
}

export function shapeOf(sinceOnset: readonly number[], growing: boolean, opts: ShapeOptions): SurgeShape {
  if (growing) return 'GROWING';
  const peak = Math.max(0, ...sinceOnset);
  const peakAt = sinceOnset.indexOf(peak);
  const last = sinceOnset[sinceOnset.length - 1] ?? 0;
  const fellAt = sinceOnset.findIndex((v, i) => i > peakAt && v < peak / 2);
  if (fellAt >= 0 && fellAt < opts.spikeMaxWindows) return 'SPIKE';
  if (sinceOnset.length >= 3 && last >= 0) return 'SUSTAINED';
  return 'UNKNOWN';
}
