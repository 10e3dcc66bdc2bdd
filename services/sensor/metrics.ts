/**
 * The sensor's counters, in one small object: a periodic JSON log line and
 * the final report read it now; a Prometheus exporter can read `snapshot()`
 * later without touching the pipeline.
 */
import type { InputReport } from './report.ts';

export interface SensorSnapshot {
  readonly eventsRead: number;
  readonly eventsPublished: number;
  readonly recordsPublished: number;
  /** Events that will never reach the broker, by reason (e.g. spool_full). */
  readonly eventsDropped: Readonly<Record<string, number>>;
  /** Lines/packets skipped as unreadable, by reason. */
  readonly inputSkipped: Readonly<Record<string, number>>;
  readonly spoolRecords: number;
  readonly spoolEvents: number;
  readonly spoolBytes: number;
  readonly brokerUp: boolean;
}

export class SensorMetrics {
  readonly input: InputReport;
  eventsPublished = 0;
  recordsPublished = 0;
  brokerUp = false;
  spool = { records: 0, events: 0, bytes: 0 };
  readonly #dropped = new Map<string, number>();

  constructor(input: InputReport) {
    this.input = input;
  }

  dropped(reason: string, events: number): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + events);
  }

  snapshot(): SensorSnapshot {
    return {
      eventsRead: this.input.read,
      eventsPublished: this.eventsPublished,
      recordsPublished: this.recordsPublished,
      eventsDropped: Object.fromEntries(this.#dropped),
      inputSkipped: this.input.skipped(),
      spoolRecords: this.spool.records,
      spoolEvents: this.spool.events,
      spoolBytes: this.spool.bytes,
      brokerUp: this.brokerUp,
    };
  }
}
