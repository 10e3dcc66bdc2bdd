/**
 * A simulated world: a monitored space watched by several sensors
 * (space.ts), everyday background, botnet sweeps, heavy hitters (traffic.ts)
 * and perhaps a worm (si-worm.ts, worm-traffic.ts), generated in 10-second
 * slices of event time. Seeded and deterministic: the same spec and seed
 * give the same events, in the same order.
 *
 * Sensors do not deliver in step. Each sensor lags by a fixed delay of 0 up
 * to `maxSkewSeconds` (clock skew, buffering, a slow link), so the merged
 * stream the detector reads is out of order across sensors by up to that
 * much, as it is in production; keep the detector's allowed lateness at
 * least as long or it drops the laggards' events.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { streamOf } from './sampling.ts';
import type { WormSpec } from './si-worm.ts';
import { MonitoredSpace, sensorName } from './space.ts';
import type { SpaceSpec } from './space.ts';
import { backgroundSlice, hitterSlice, sweepSlice } from './traffic.ts';
import type { BackgroundSpec, HitterSpec, Slice, SweepSpec } from './traffic.ts';
import { WormTraffic } from './worm-traffic.ts';

export interface WorldSpec {
  readonly minutes: number;
  readonly space: SpaceSpec;
  readonly background: readonly BackgroundSpec[];
  readonly sweeps: readonly SweepSpec[];
  readonly hitters: readonly HitterSpec[];
  readonly worm?: WormSpec;
  /** Largest delivery lag of a sensor behind the others, in seconds. */
  readonly maxSkewSeconds: number;
}

/** What arrives at the detector at one moment: each sensor's events, in event-time order. */
export interface Arrival {
  /** Arrival time, ms from the scenario start. */
  readonly at: number;
  readonly batches: readonly { readonly sensorId: string; readonly events: ConnectionEvent[] }[];
}

export const SLICE_MS = 10_000;

/** Every sensor's events of each slice of event time, in order. */
export function* worldSlices(spec: WorldSpec, seed: number, startMs: number): Generator<ConnectionEvent[][]> {
  const space = new MonitoredSpace(spec.space);
  const worm = spec.worm === undefined ? undefined : new WormTraffic(spec.worm, seed, space.liveSize);
  const slices = Math.ceil((spec.minutes * 60_000) / SLICE_MS);
  for (let i = 0; i < slices; i++) {
    const bySensor: ConnectionEvent[][] = Array.from({ length: spec.space.sensors }, () => []);
    const slice: Slice = { seed, startMs, from: i * SLICE_MS, to: (i + 1) * SLICE_MS, space, add: (sensor, e) => bySensor[sensor]?.push(e) };
    spec.background.forEach((b, k) => {
      backgroundSlice(slice, b, k, i);
    });
    spec.sweeps.forEach((sw, k) => {
      sweepSlice(slice, sw, k, i);
    });
    spec.hitters.forEach((h, k) => {
      hitterSlice(slice, h, k, i);
    });
    worm?.slice(slice, i);
    for (const events of bySensor) events.sort((a, b) => a.eventTime - b.eventTime);
    yield bySensor;
  }
}

/** Each sensor's lag in slices, 0 to maxSkewSeconds (seeded). */
export function sensorLags(spec: WorldSpec, seed: number): number[] {
  const most = Math.floor((spec.maxSkewSeconds * 1000) / SLICE_MS);
  return Array.from({ length: spec.space.sensors }, (_, s) => Math.floor(streamOf(seed, 5, s)() * (most + 1)));
}

/** The world as the detector receives it: slice k of a sensor lagging L slices arrives at step k + L. */
export function* arrivals(spec: WorldSpec, seed: number, startMs: number): Generator<Arrival> {
  const lags = sensorLags(spec, seed);
  const most = Math.max(0, ...lags);
  const held: ConnectionEvent[][][] = [];
  let step = 0;
  const release = (): Arrival => {
    const batches = lags.flatMap((lag, s) => {
      const events = held[step - lag]?.[s];
      return events === undefined || events.length === 0 ? [] : [{ sensorId: sensorName(s), events }];
    });
    const oldest = step - most;
    if (oldest >= 0) held[oldest] = [];
    return { at: (step + 1) * SLICE_MS, batches };
  };
  for (const slice of worldSlices(spec, seed, startMs)) {
    held.push(slice);
    yield release();
    step += 1;
  }
  for (let k = 0; k < most; k++, step++) yield release();
}
