/**
 * Applies fetched records of port-stats.v1 and alerts.v1 to the store: one
 * transaction per batch holding the rows and the partition's next offset,
 * then a live event per stored batch. Records the store already holds (a
 * redelivery after a crash) and records older than the retention are
 * skipped; an unreadable record is counted and skipped, never stalls the
 * partition (the detector already dead-letters what it cannot write).
 */
import type { Clock } from '../common/clock.ts';
import type { DatabaseSync } from 'node:sqlite';
import { alertCodec, portStatsCodec } from '../common/avro/codecs.ts';
import type { Alert, PortStats } from '../common/avro/generated-types.ts';
import type { InRecord } from '../common/kafka/transport.ts';
import type { LiveFeed, LiveWindow } from './live.ts';
import type { AlertStore } from './store/alerts.ts';
import { inTransaction } from './store/database.ts';
import type { OffsetStore } from './store/offsets.ts';
import { surgeRatio } from './store/port-stats.ts';
import type { PortStatsStore } from './store/port-stats.ts';

export interface MaterialiserOptions {
  readonly db: DatabaseSync;
  readonly topics: { readonly portStats: string; readonly alerts: string };
  readonly portStats: PortStatsStore;
  readonly alerts: AlertStore;
  readonly offsets: OffsetStore;
  readonly live: LiveFeed;
  readonly retentionMs: number;
  readonly now: Clock;
  readonly onBadRecord: (record: InRecord, err: unknown) => void;
}

export interface BatchResult {
  readonly stored: number;
  readonly skipped: number;
}

export class Materialiser {
  readonly #o: MaterialiserOptions;

  constructor(opts: MaterialiserOptions) {
    this.#o = opts;
  }

  /** Where a partition's reading resumes: the stored next offset, if any. */
  resumeAt(topic: string, partition: number): bigint | undefined {
    return this.#o.offsets.next(topic, partition);
  }

  apply(topic: string, partition: number, records: readonly InRecord[]): BatchResult {
    const o = this.#o;
    const from = o.offsets.next(topic, partition) ?? 0n;
    const fresh = records.filter((r) => BigInt(r.offset) >= from);
    const last = fresh.at(-1);
    if (last === undefined) return { stored: 0, skipped: records.length };
    const cutoff = o.now() - o.retentionMs;
    const windows: LiveWindow[] = [];
    const alerts: Alert[] = [];
    inTransaction(o.db, () => {
      for (const r of fresh) {
        if (r.value === null) continue;
        try {
          if (topic === o.topics.portStats) this.#stats(portStatsCodec.decode(r.value), cutoff, windows);
          else if (topic === o.topics.alerts) this.#alert(alertCodec.decode(r.value), cutoff, alerts);
        } catch (err) {
          o.onBadRecord(r, err);
        }
      }
      o.offsets.set(topic, partition, BigInt(last.offset) + 1n);
    });
    if (windows.length > 0) o.live.publish({ type: 'stats', windows });
    for (const alert of alerts) o.live.publish({ type: 'alert', alert });
    return { stored: windows.length + alerts.length, skipped: records.length - windows.length - alerts.length };
  }

  #stats(s: PortStats, cutoff: number, out: LiveWindow[]): void {
    if (s.windowStart < cutoff) return;
    this.#o.portStats.add(s);
    out.push({ protocol: s.protocol, port: s.port, windowStart: s.windowStart, sources: s.distinctSources, baseline: s.baselineSources, ratio: surgeRatio(s.distinctSources, s.baselineSources), surging: s.surging });
  }

  #alert(a: Alert, cutoff: number, out: Alert[]): void {
    if (a.eventTime < cutoff) return;
    this.#o.alerts.add(a);
    out.push(a);
  }
}
