/**
 * Scanning that is not a worm, as seen by a monitored space, one slice of
 * event time at a time (world.ts calls these in order):
 * - background: a port's everyday scanners, with a daily rhythm and,
 *   optionally, organic growth (a service becoming popular);
 * - sweeps: a botnet enumerating a port in waves (climb, plateau, decline);
 * - heavy hitters: single hosts scanning hard.
 * Only what the detector reads is materialised: each source seen in a slice
 * with its few attempts to random monitored addresses.
 */
import type { ConnectionEvent, Protocol } from '../../common/avro/generated-types.ts';
import type { Random } from './random.ts';
import { ipText, mix, outsideAddress, poisson, streamOf } from './sampling.ts';
import type { MonitoredSpace } from './space.ts';

/** Where a component puts the events of one slice: the sensor (index) that saw each. */
export interface Slice {
  readonly seed: number;
  readonly startMs: number;
  /** Slice bounds in ms from the scenario start. */
  readonly from: number;
  readonly to: number;
  readonly space: MonitoredSpace;
  add(sensor: number, event: ConnectionEvent): void;
}

export interface BackgroundSpec {
  readonly protocol: Protocol;
  readonly port: number;
  /** Mean distinct sources per minute over the whole monitored space. */
  readonly perMinute: number;
  /** Recurring scanners the sources come from... */
  readonly pool: number;
  /** ...except this share, never seen before (DShield sees thousands of new sources a day on busy ports). */
  readonly newShare: number;
  /** Daily swing: 0.5 = ±50 % around the mean, busiest at 18:00 of event time. */
  readonly diurnal: number;
  /** Organic growth: the mean doubles every `doublingMinutes` from `fromMinute` to `untilMinute`, then stays. */
  readonly growth?: { readonly fromMinute: number; readonly untilMinute: number; readonly doublingMinutes: number };
}

export interface WaveSpec {
  readonly startMinute: number;
  /** Minutes from the first bot to the full botnet; the climb is a straight line or an S (logistic). */
  readonly rampMinutes: number;
  readonly shape: 'linear' | 's-curve';
  readonly plateauMinutes: number;
  readonly declineMinutes: number;
  /** Bots scanning at the plateau, each seen a few times a minute. */
  readonly peak: number;
}

export interface SweepSpec {
  readonly protocol: Protocol;
  readonly port: number;
  readonly waves: readonly WaveSpec[];
}

export interface HitterSpec {
  readonly protocol: Protocol;
  readonly port: number;
  readonly attemptsPerMinute: number;
  readonly fromMinute: number;
  readonly minutes: number;
}

const MINUTE = 60_000;
/** Attempts per sweeping bot per minute into the monitored space: a bot is seen in 95 % of minutes. */
const BOT_PROBES_PER_MINUTE = 3;

/** One attempt: at `at` (ms from the scenario start; default a random moment of the slice), seen by `sensor` (default: the one watching `dst`). */
export interface Attempt {
  readonly protocol: Protocol;
  readonly port: number;
  readonly src: number;
  readonly dst: number;
  readonly at?: number;
  readonly sensor?: number;
}

export function emitAttempt(s: Slice, rng: Random, a: Attempt): void {
  s.add(a.sensor ?? s.space.sensorOf(a.dst), {
    eventTime: s.startMs + Math.floor(a.at ?? s.from + rng() * (s.to - s.from)),
    protocol: a.protocol,
    srcIp: ipText(a.src),
    srcPort: 1024 + Math.floor(rng() * 64_512),
    dstIp: ipText(a.dst),
    dstPort: a.port,
    outcome: a.protocol === 'TCP' ? 'REJECTED' : 'ATTEMPT',
  });
}

/** Mean sources per minute of a background at minute `m`. */
export function backgroundMean(b: BackgroundSpec, m: number): number {
  const daily = 1 + b.diurnal * Math.sin((2 * Math.PI * (m - 720)) / 1440);
  const g = b.growth;
  const grown = g === undefined ? 1 : 2 ** ((Math.min(Math.max(m, g.fromMinute), g.untilMinute) - g.fromMinute) / g.doublingMinutes);
  return b.perMinute * daily * grown;
}

export function backgroundSlice(s: Slice, b: BackgroundSpec, index: number, sliceIndex: number): void {
  const rng = streamOf(s.seed, 1, index, sliceIndex);
  const visits = poisson(rng, (backgroundMean(b, (s.from + s.to) / 2 / MINUTE) * (s.to - s.from)) / MINUTE);
  for (let v = 0; v < visits; v++) {
    const fresh = rng() < b.newShare;
    const src = outsideAddress(fresh ? mix(s.seed, 11, index, sliceIndex, v) : mix(s.seed, 12, index, Math.floor(rng() * b.pool)));
    const attempts = 1 + Math.floor(rng() * 3);
    for (let a = 0; a < attempts; a++) emitAttempt(s, rng, { protocol: b.protocol, port: b.port, src, dst: s.space.randomAddress(rng) });
  }
}

/** Share of a wave's bots active `x` minutes after its start. */
export function waveProfile(w: WaveSpec, x: number): number {
  if (x < 0) return 0;
  if (x < w.rampMinutes) {
    const u = x / w.rampMinutes;
    if (w.shape === 'linear') return u;
    const sig = (z: number): number => 1 / (1 + Math.exp(-z));
    return (sig(10 * (u - 0.5)) - sig(-5)) / (sig(5) - sig(-5));
  }
  const down = x - w.rampMinutes - w.plateauMinutes;
  if (down < 0) return 1;
  return down < w.declineMinutes ? 1 - down / w.declineMinutes : 0;
}

export function sweepSlice(s: Slice, sw: SweepSpec, index: number, sliceIndex: number): void {
  const rng = streamOf(s.seed, 2, index, sliceIndex);
  const lambda = (BOT_PROBES_PER_MINUTE * (s.to - s.from)) / MINUTE;
  sw.waves.forEach((w, wi) => {
    const active = Math.round(w.peak * waveProfile(w, (s.from + s.to) / 2 / MINUTE - w.startMinute));
    for (let bot = 0; bot < active; bot++) {
      const n = poisson(rng, lambda);
      const src = outsideAddress(mix(s.seed, 21, index, wi, bot));
      for (let a = 0; a < n; a++) emitAttempt(s, rng, { protocol: sw.protocol, port: sw.port, src, dst: s.space.randomAddress(rng) });
    }
  });
}

export function hitterSlice(s: Slice, h: HitterSpec, index: number, sliceIndex: number): void {
  const m = s.from / MINUTE;
  if (m < h.fromMinute || m >= h.fromMinute + h.minutes) return;
  const rng = streamOf(s.seed, 3, index, sliceIndex);
  const src = outsideAddress(mix(s.seed, 31, index));
  const n = Math.round((h.attemptsPerMinute * (s.to - s.from)) / MINUTE);
  for (let a = 0; a < n; a++) emitAttempt(s, rng, { protocol: h.protocol, port: h.port, src, dst: s.space.randomAddress(rng) });
}
