import type { DistinctSketch, PartialWindow, ScannerTally } from '../../common/avro/generated-types.ts';
import type { ScannerSnapshot } from '../scanners.ts';
import type { CounterSnapshot } from '../sketch/hll.ts';
import type { WindowSnapshot } from '../window.ts';

/**
 * Conversion between a window's checkpoint form (window.ts, base64 strings)
 * and the Avro form of a partial window (schemas/port-partial.avsc, bytes).
 *
 * A partial carries what the merge needs and nothing else: the scanner
 * table's (source, destination) pair set is left out. It only serves to count
 * each destination once per source as events arrive; the merger adds no
 * events, and the pairs are up to 4 MiB per window.
 */
const bytesOf = (b64: string): Buffer => Buffer.from(b64, 'base64');
const b64Of = (buf: Buffer): string => buf.toString('base64');
/** An empty pair set for a table that will never be added to (scanners.ts restores it as-is). */
const NO_PAIRS = Buffer.alloc(64 * 4).toString('base64');

function toSketch(c: CounterSnapshot): DistinctSketch {
  return {
    precision: c.p,
    registers: c.registers === undefined ? null : bytesOf(c.registers),
    set: c.set === undefined ? null : bytesOf(c.set),
    size: c.size ?? 0,
  };
}

function fromSketch(s: DistinctSketch): CounterSnapshot {
  if (s.registers !== null) return { p: s.precision, registers: b64Of(s.registers) };
  return { p: s.precision, set: b64Of(s.set ?? Buffer.alloc(0)), size: s.size };
}

function toTally(s: ScannerSnapshot): ScannerTally {
  // Tallies are kept in arrays that grow by doubling: send only the used slots.
  const used = s.ips.length * 4;
  return { ips: s.ips, attempts: bytesOf(s.attempts).subarray(0, used), destinations: bytesOf(s.destinations).subarray(0, used), untracked: s.untracked, scanners: s.scanners };
}

function fromTally(t: ScannerTally): ScannerSnapshot {
  return { ips: t.ips, attempts: b64Of(t.attempts), destinations: b64Of(t.destinations), pairs: NO_PAIRS, pairCount: 0, untracked: t.untracked, scanners: t.scanners };
}

export function toPartialWindow(w: WindowSnapshot, final: boolean): PartialWindow {
  return {
    windowStart: w.start,
    final,
    attempts: w.attempts,
    newSources: w.newSources,
    dscSources: w.dscSources,
    sources: toSketch(w.sources),
    destinations: toSketch(w.destinations),
    scanners: toTally(w.scanners),
    sensors: w.sensors,
  };
}

export function fromPartialWindow(w: PartialWindow): WindowSnapshot {
  return {
    start: w.windowStart,
    attempts: w.attempts,
    newSources: w.newSources,
    dscSources: w.dscSources,
    sources: fromSketch(w.sources),
    destinations: fromSketch(w.destinations),
    scanners: fromTally(w.scanners),
    sensors: w.sensors,
  };
}
