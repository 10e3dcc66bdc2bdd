import type { PortLoad, Scenario } from './model.ts';

/**
 * The named scenarios. Every one is seeded (same seed, same events) and keeps
 * event time, so it gives the same detection results at any replay speed.
 * Destinations are in 198.18.0.0/15 (RFC 2544 benchmarking space, never
 * routed), the worm's monitored /12 (198.16.0.0/12) contains it.
 */
const steady = (n: number): number[] => [n];
const DAY = 1440;

/** The common-port background every scenario but `demo` sits on. */
const background = (minutes: number, exceptPort?: number): PortLoad[] =>
  [
    { protocol: 'TCP' as const, port: 22, sourcesPerMinute: steady(40), pool: 400, jitter: 0.15 },
    { protocol: 'TCP' as const, port: 23, sourcesPerMinute: steady(30), pool: 300, jitter: 0.15 },
    { protocol: 'TCP' as const, port: 445, sourcesPerMinute: steady(25), pool: 300, jitter: 0.15 },
    { protocol: 'TCP' as const, port: 3389, sourcesPerMinute: steady(20), pool: 300, jitter: 0.15 },
    { protocol: 'UDP' as const, port: 53, sourcesPerMinute: steady(10), pool: 100, jitter: 0.15 },
  ].filter((l) => l.port !== exceptPort && minutes > 0);

/** Background on common ports, then a botnet-like climb-plateau-decline on TCP 445 (the seed story). */
const demo: Scenario = {
  name: 'demo',
  description: '12 minutes of background on common ports, then a surge on TCP 445 that climbs, holds and declines, then background again',
  minutes: 28,
  loads: [
    { protocol: 'TCP', port: 22, sourcesPerMinute: steady(40), pool: 400 },
    { protocol: 'TCP', port: 23, sourcesPerMinute: steady(30), pool: 300 },
    { protocol: 'TCP', port: 80, sourcesPerMinute: steady(25), pool: 300 },
    { protocol: 'TCP', port: 3389, sourcesPerMinute: steady(30), pool: 300 },
    { protocol: 'UDP', port: 53, sourcesPerMinute: steady(10), pool: 100 },
    {
      protocol: 'TCP',
      port: 445,
      // minute:        0 ... 11, 12,  13,  14,  15,  16,  17,  18, 19, 20 ...
      sourcesPerMinute: [...Array<number>(12).fill(25), 120, 300, 450, 450, 420, 200, 60, 30, 25],
      pool: 5000,
    },
  ],
};

/**
 * A simulated day: every common port follows a daily rhythm (busiest at
 * 18:00 UTC, half as busy at 06:00: ±50 % around the mean) with ±15 % noise
 * per minute. One or two attempts per source keep a day at ~0.35 M events.
 */
const diurnal = (mean: number, minute: number): number => Math.round(mean * (1 + 0.5 * Math.sin((2 * Math.PI * (minute - 720)) / DAY)));
const diurnalDay: Scenario = {
  name: 'diurnal-day',
  description: 'a day of background on common ports with a daily rhythm (±50 %) and per-minute noise; no surge',
  minutes: DAY,
  loads: background(DAY).map((l) => ({
    ...l,
    sourcesPerMinute: Array.from({ length: DAY }, (_, m) => diurnal(l.sourcesPerMinute[0] ?? 0, m)),
    attempts: [1, 2] as const,
  })),
};

/** "Try before you buy": a bot network enumerates TCP 445: fast climb, plateau, decline. */
const botnetSweep: Scenario = {
  name: 'botnet-sweep',
  description: '10 minutes of background, then TCP 445 climbs to 900 sources in 3 minutes, holds 4, declines in 4',
  minutes: 30,
  loads: [
    ...background(30, 445),
    {
      protocol: 'TCP',
      port: 445,
      sourcesPerMinute: [...Array<number>(10).fill(25), 150, 500, 900, 900, 880, 900, 870, 600, 250, 80, 25],
      pool: 20_000,
      jitter: 0.1,
    },
  ],
};

/** One host hammering TCP 445 (3,000 attempts a minute for 10 minutes) over the usual background. */
const heavyHitter: Scenario = {
  name: 'heavy-hitter',
  description: 'background, and from minute 10 to 19 one source making 3,000 attempts a minute on TCP 445',
  minutes: 30,
  loads: [
    ...background(30),
    { protocol: 'TCP', port: 445, sourcesPerMinute: [...Array<number>(10).fill(0), ...Array<number>(10).fill(1), 0], pool: 1, attempts: [3000, 3000] },
  ],
};

/**
 * A random-scanning worm on TCP 445 (see WormModel). N = 200,000 vulnerable
 * hosts, η = 6,000 probes/min (100/s), 5 infected at minute 10: infection
 * rate β = η·N/2³² ≈ 0.28/min, doubling every ~2.5 minutes; 0.5 % of N is
 * infected after ~19 minutes. Monitored: a /12 (Gu et al.'s set-up), 1 % of
 * the vulnerable hosts live in it.
 */
const worm: Scenario = {
  name: 'worm',
  description: 'background, then an SI random-scanning worm on TCP 445 from minute 10 (N = 200,000, 100 probes/s, /12 monitored)',
  minutes: 36,
  loads: background(36),
  worm: {
    protocol: 'TCP',
    port: 445,
    vulnerable: 200_000,
    scanRatePerMinute: 6000,
    monitoredBase: (198 << 24) + (16 << 16),
    monitoredPrefix: 12,
    monitoredShare: 0.01,
    initialInfected: 5,
    onsetMinute: 10,
    maxProbesPerSource: 5,
  },
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze({
  demo,
  'diurnal-day': diurnalDay,
  'botnet-sweep': botnetSweep,
  'heavy-hitter': heavyHitter,
  worm,
});
