/**
 * What the sensors of a monitored space see of an SI worm (si-worm.ts), one
 * slice of event time at a time, in order:
 * - random scans landing in the monitored space: each infected host sends η
 *   a minute, a share size / 2^32 of them lands here (a /12: 1/4096);
 * - the infecting scan reaching a vulnerable host of a live network, and from
 *   then on that host's own scans leaving its network, which its sensor sees
 *   as a source on the port: destination→source correlation (Gu et al. 2004).
 * Scale: while an infected host sends at most one scan here per slice, scans
 * are drawn as one Poisson count over the slice (cost per scan, not per host);
 * a faster worm is drawn host by host, each capped at one attempt per
 * slice (distinct sources, what detection reads, stay exact).
 */
import { emitAttempt } from './traffic.ts';
import type { Slice } from './traffic.ts';
import { infectedAt, infectionTime, liveShare } from './si-worm.ts';
import type { WormSpec } from './si-worm.ts';
import { mix, outsideAddress, poisson, streamOf } from './sampling.ts';

const OMEGA = 2 ** 32;
const MINUTE = 60_000;
/** Most attempts per host per slice materialised: inbound in the fast regime (one shows the source), outbound from a live host. */
const INBOUND_CAP = 1;
const OUTBOUND_CAP = 3;

export class WormTraffic {
  readonly #w: WormSpec;
  readonly #seed: number;
  readonly #share: number;
  /** Hosts 0..#next-1 have had their infection looked at. */
  #next = 0;
  /** Infected hosts of the live networks: index and address. */
  readonly #live: { k: number; address: number }[] = [];

  constructor(w: WormSpec, seed: number, liveAddresses: number) {
    this.#w = w;
    this.#seed = seed;
    this.#share = liveShare(w, liveAddresses);
  }

  /** Host k's address: in a live network for a `liveShare` of hosts, else anywhere outside the monitored space. */
  address(k: number, s: Slice): { address: number; live: boolean } {
    const rng = streamOf(this.#seed, 41, k);
    if (rng() < this.#share) return { address: s.space.randomLiveAddress(rng), live: true };
    return { address: outsideAddress(mix(this.#seed, 42, k)), live: false };
  }

  slice(s: Slice, sliceIndex: number): void {
    const rng = streamOf(this.#seed, 4, sliceIndex);
    const w = this.#w;
    // The last moment inside the slice: a slice ending at the onset has no infected host in it.
    const top = infectedAt(w, s.to - 1);
    if (top === 0) return;
    const perHost = ((w.scansPerMinute * (s.to - s.from)) / MINUTE) * (s.space.size / OMEGA);
    const mid = infectedAt(w, (s.from + s.to) / 2);
    if (perHost <= 1) {
      // Simpson's rule for the scans of all hosts over the slice.
      const expected = (perHost * (infectedAt(w, s.from) + 4 * mid + top)) / 6;
      const n = poisson(rng, expected);
      for (let i = 0; i < n; i++) {
        const t = this.#moment(s, rng, top);
        this.#scan(s, rng, this.address(Math.floor(rng() * infectedAt(w, t)), s).address, t);
      }
    } else {
      for (let k = 0; k < Math.floor(top); k++) {
        const since = Math.max(s.from, infectionTime(w, k));
        const n = Math.min(INBOUND_CAP, poisson(rng, (perHost * (s.to - since)) / (s.to - s.from)));
        const src = n > 0 ? this.address(k, s).address : 0;
        for (let i = 0; i < n; i++) this.#scan(s, rng, src, since + rng() * (s.to - since));
      }
    }
    this.#infectLive(s, rng, top);
    this.#liveScans(s, rng);
  }

  /** A moment of the slice drawn in proportion to the hosts infected then (thinning; I(t) grows at most ×2.3 within a slice). */
  #moment(s: Slice, rng: () => number, top: number): number {
    for (;;) {
      const t = s.from + rng() * (s.to - s.from);
      if (rng() * top <= infectedAt(this.#w, t)) return t;
    }
  }

  #scan(s: Slice, rng: () => number, src: number, t: number): void {
    emitAttempt(s, rng, { protocol: this.#w.protocol, port: this.#w.port, src, dst: s.space.randomAddress(rng), at: t });
  }

  /** Hosts infected during the slice: a live one is seen receiving its infecting scan from an earlier host. */
  #infectLive(s: Slice, rng: () => number, top: number): void {
    for (; this.#next < Math.floor(top); this.#next++) {
      const k = this.#next;
      const host = this.address(k, s);
      if (!host.live) continue;
      this.#live.push({ k, address: host.address });
      if (k < this.#w.initialInfected) continue;
      const t = Math.max(s.from, infectionTime(this.#w, k));
      const by = this.address(Math.floor(rng() * k), s).address;
      emitAttempt(s, rng, { protocol: this.#w.protocol, port: this.#w.port, src: by, dst: host.address, at: t });
    }
  }

  /** Scans leaving the live networks from their infected hosts, seen by each host's own sensor. */
  #liveScans(s: Slice, rng: () => number): void {
    const lambda = (this.#w.scansPerMinute * (s.to - s.from)) / MINUTE;
    for (const host of this.#live) {
      const since = Math.max(s.from, infectionTime(this.#w, host.k) + 1);
      if (since >= s.to) continue;
      const n = Math.min(OUTBOUND_CAP, poisson(rng, (lambda * (s.to - since)) / (s.to - s.from)));
      const sensor = s.space.sensorOf(host.address);
      for (let i = 0; i < n; i++) {
        const dst = outsideAddress(mix(this.#seed, 43, host.k, rng() * 4294967296));
        emitAttempt(s, rng, { protocol: this.#w.protocol, port: this.#w.port, src: host.address, dst, at: since + rng() * (s.to - since), sensor });
      }
    }
  }
}
