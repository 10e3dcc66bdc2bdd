/**
 * A random-scanning worm in continuous time: the SI (susceptible-infected)
 * model of Staniford et al. 2002 and Zou et al. 2003,
 *   dI/dt = η · I · (N − I) / Ω,   Ω = 2^32,
 * whose solution is the logistic curve
 *   I(t) = N / (1 + (N/I₀ − 1) · e^(−β t)),   β = η N / Ω.
 * Early on I doubles every ln 2 / β: Code Red v2 (N = 360,000, η = 358/min)
 * gives β ≈ 0.030/min, about 23 min (Zou et al.); Slammer doubled every
 * 8.5 s (Moore et al. 2003). Closed form, so any slice of a long outbreak is
 * computed without stepping through the ones before, and a host's infection
 * time is exact (hosts are numbered in infection order).
 */
import type { Protocol } from '../../common/avro/generated-types.ts';

export interface WormSpec {
  readonly protocol: Protocol;
  readonly port: number;
  /** N: vulnerable hosts on the Internet. */
  readonly vulnerable: number;
  /** η: scans per infected host per minute, to uniformly random IPv4 addresses. */
  readonly scansPerMinute: number;
  /** I₀: hosts infected at the onset. */
  readonly initialInfected: number;
  readonly onsetMinute: number;
  /**
   * Vulnerable hosts per address in the live monitored networks, relative to
   * the Internet's average N / 2^32 (1 = as dense as anywhere; an enterprise
   * network full of the vulnerable service is denser).
   */
  readonly liveDensity: number;
}

const OMEGA = 2 ** 32;
const MINUTE = 60_000;

/** β per minute. */
export const growthRate = (w: WormSpec): number => (w.scansPerMinute * w.vulnerable) / OMEGA;

/** Early doubling time in minutes, ln 2 / β. */
export const doublingMinutes = (w: WormSpec): number => Math.LN2 / growthRate(w);

/** η that gives `doubling` minutes of early doubling time for N vulnerable hosts. */
export const scansForDoubling = (vulnerable: number, doubling: number): number => (Math.LN2 / doubling) * (OMEGA / vulnerable);

/** I(t), fractional, t in ms from the scenario start; 0 before the onset. */
export function infectedAt(w: WormSpec, tMs: number): number {
  const t = (tMs - w.onsetMinute * MINUTE) / MINUTE;
  if (t < 0) return 0;
  return w.vulnerable / (1 + (w.vulnerable / w.initialInfected - 1) * Math.exp(-growthRate(w) * t));
}

/** Infection time (ms from the scenario start) of host k (0-based, in infection order): when I(t) reaches k + 1. */
export function infectionTime(w: WormSpec, k: number): number {
  const onset = w.onsetMinute * MINUTE;
  if (k + 1 <= w.initialInfected) return onset;
  if (k + 1 >= w.vulnerable) return Number.POSITIVE_INFINITY;
  const t = Math.log((w.vulnerable / w.initialInfected - 1) / (w.vulnerable / (k + 1) - 1)) / growthRate(w);
  return onset + t * MINUTE;
}

/** Minute (from the scenario start) at which `fraction` of the vulnerable hosts are infected. */
export function minuteOfFraction(w: WormSpec, fraction: number): number {
  return infectionTime(w, Math.ceil(fraction * w.vulnerable) - 1) / MINUTE;
}

/**
 * Probability that a host lives in the monitored live networks: their
 * vulnerable hosts, N × density × (live addresses / 2^32), out of N.
 */
export const liveShare = (w: WormSpec, liveAddresses: number): number => Math.min(1, (w.liveDensity * liveAddresses) / OMEGA);
