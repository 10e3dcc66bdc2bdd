/**
 * Port statistics in the store: one row per (port, window) as the detector
 * published it, plus the latest window of every port for the overview's
 * ranking. Reads return columns (one array per figure), the shape uPlot
 * draws without copying.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PortStats } from '../../common/avro/generated-types.ts';
import { portId } from './database.ts';

/** A port's windows between two times, column by column, oldest first. */
export interface PortSeries {
  readonly windowStart: number[];
  readonly attempts: number[];
  readonly sources: number[];
  readonly destinations: number[];
  readonly sensors: number[];
  readonly baseline: number[];
  readonly surging: boolean[];
  readonly newSources: number[];
  readonly dscSources: number[];
  readonly scanners: number[];
}

export interface PortRank {
  readonly portId: number;
  readonly windowStart: number;
  readonly sources: number;
  readonly baseline: number;
  /** Distinct sources over the baseline (a baseline under 1 counts as 1). */
  readonly ratio: number;
  readonly surging: boolean;
}

/** window_start, attempts, sources, destinations, sensors, baseline, surging, new_sources, dsc_sources, scanners. */
type SeriesRow = [number, number, number, number, number, number, number, number, number, number];
interface RankRow { port_id: number; window_start: number; sources: number; baseline: number; ratio: number; surging: number }

export function surgeRatio(sources: number, baseline: number): number {
  return sources / Math.max(1, baseline);
}

export class PortStatsStore {
  readonly #insert: StatementSync;
  readonly #latest: StatementSync;
  readonly #series: StatementSync;
  readonly #buckets: StatementSync;
  readonly #ranking: StatementSync;
  readonly #prune: StatementSync;
  readonly #pruneLatest: StatementSync;

  constructor(db: DatabaseSync) {
    // A window read twice (a replay, a rebuild) replaces itself: the store never double-counts.
    this.#insert = db.prepare('INSERT OR REPLACE INTO port_stats VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
    this.#latest = db.prepare(`INSERT INTO port_latest VALUES (?,?,?,?,?,?)
      ON CONFLICT (port_id) DO UPDATE SET window_start = excluded.window_start, sources = excluded.sources,
        baseline = excluded.baseline, ratio = excluded.ratio, surging = excluded.surging
      WHERE excluded.window_start >= port_latest.window_start`);
    this.#series = db.prepare(`SELECT window_start, attempts, sources, destinations, sensors, baseline, surging, new_sources, dsc_sources, scanners
      FROM port_stats WHERE port_id = ? AND window_start >= ? AND window_start < ? ORDER BY window_start`);
    // Rows as arrays: a 7-day chart is 10,080 rows, and building an object per row was most of its time.
    this.#series.setReturnArrays(true);
    // Longer ranges in buckets of several windows, each holding its peak minute (a surge keeps its height) and the mean baseline.
    // node:sqlite binds a JS number as REAL: the casts keep the division an integer one.
    this.#buckets = db.prepare(`SELECT (window_start / CAST(?4 AS INTEGER)) * CAST(?4 AS INTEGER) AS t, MAX(attempts), MAX(sources), MAX(destinations), MAX(sensors), AVG(baseline), MAX(surging),
        MAX(new_sources), MAX(dsc_sources), MAX(scanners)
      FROM port_stats WHERE port_id = ?1 AND window_start >= ?2 AND window_start < ?3 GROUP BY t ORDER BY t`);
    this.#buckets.setReturnArrays(true);
    this.#ranking = db.prepare('SELECT * FROM port_latest WHERE window_start >= ? ORDER BY ratio DESC LIMIT ?');
    this.#prune = db.prepare('DELETE FROM port_stats WHERE window_start < ?');
    this.#pruneLatest = db.prepare('DELETE FROM port_latest WHERE window_start < ?');
  }

  /** Call inside a transaction (the materialiser stores offsets in the same one). */
  add(s: PortStats): void {
    const id = portId(s.protocol, s.port);
    this.#insert.run(id, s.windowStart, s.windowEnd, s.attempts, s.distinctSources, s.distinctDestinations, s.sensors,
      s.baselineSources, s.surging ? 1 : 0, s.newSources, s.dscSources, s.scanners);
    this.#latest.run(id, s.windowStart, s.distinctSources, s.baselineSources, surgeRatio(s.distinctSources, s.baselineSources), s.surging ? 1 : 0);
  }

  /** `bucketMs` above the window length: one point per bucket, each figure its peak minute's, the baseline its mean. */
  series(id: number, fromMs: number, toMs: number, bucketMs = 0): PortSeries {
    const out: PortSeries = { windowStart: [], attempts: [], sources: [], destinations: [], sensors: [], baseline: [], surging: [], newSources: [], dscSources: [], scanners: [] };
    const rows = bucketMs > 0 ? this.#buckets.all(id, fromMs, toMs, bucketMs) : this.#series.all(id, fromMs, toMs);
    for (const r of rows as unknown as SeriesRow[]) {
      out.windowStart.push(r[0]);
      out.attempts.push(r[1]);
      out.sources.push(r[2]);
      out.destinations.push(r[3]);
      out.sensors.push(r[4]);
      out.baseline.push(r[5]);
      out.surging.push(r[6] === 1);
      out.newSources.push(r[7]);
      out.dscSources.push(r[8]);
      out.scanners.push(r[9]);
    }
    return out;
  }

  /** Ports whose latest window started at or after `sinceMs`, highest surge ratio first. */
  ranking(sinceMs: number, limit: number): PortRank[] {
    return (this.#ranking.all(sinceMs, limit) as unknown as RankRow[]).map((r) => ({
      portId: r.port_id, windowStart: r.window_start, sources: r.sources, baseline: r.baseline, ratio: r.ratio, surging: r.surging === 1,
    }));
  }

  /** Deletes windows that started before `beforeMs`; answers how many. */
  prune(beforeMs: number): number {
    this.#pruneLatest.run(beforeMs);
    return Number(this.#prune.run(beforeMs).changes);
  }
}
