/**
 * The detector's Prometheus metrics. Counters are read from the pipeline's
 * DetectorCounters at scrape time; only the histograms are fed on the way.
 *
 * | metric | meaning |
 * |---|---|
 * | portent_detector_records_total | connection records consumed |
 * | portent_detector_events_total | events in them (events in) |
 * | portent_detector_late_events_total | events behind the watermark by more than the allowed lateness (counted, not windowed) |
 * | portent_detector_dead_lettered_total | records sent to the dead-letter topic |
 * | portent_detector_alerts_total | alert states produced (events out) |
 * | portent_detector_skipped_total | re-delivered records the restored checkpoint already held |
 * | portent_detector_window_close_seconds | wall clock at which a window's figures were produced, minus the window's end (event time): watermark delay + allowed lateness + processing |
 * | portent_detector_batch_seconds | handling one fetched batch: ingest, produce outputs, checkpoint |
 * | portent_consumer_lag{group,topic,partition} | records behind the end of each owned partition |
 */
import { metrics } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/api';
import { PIPELINE_SECONDS, REQUEST_SECONDS } from '../../common/telemetry/buckets.ts';
import type { Clock } from '../../common/clock.ts';

export interface DetectorTelemetry {
  /** A window's figures were produced (its PortStats record). */
  windowClosed(windowEnd: number): void;
  batchHandled(seconds: number): void;
}

export function observeDetector(counters: Readonly<Record<'records' | 'events' | 'lateEvents' | 'deadLettered' | 'alerts' | 'skipped', number>>, now: Clock): DetectorTelemetry {
  const meter = metrics.getMeter('portent');
  const counter = (name: string, description: string, unit: string) => meter.createObservableCounter(name, { description, unit });
  const observed = [
    [counter('portent.detector.records', 'Connection records consumed', '{record}'), () => counters.records],
    [counter('portent.detector.events', 'Connection events consumed', '{event}'), () => counters.events],
    [counter('portent.detector.late_events', 'Events later than the allowed lateness: counted, not windowed', '{event}'), () => counters.lateEvents],
    [counter('portent.detector.dead_lettered', 'Records sent to the dead-letter topic', '{record}'), () => counters.deadLettered],
    [counter('portent.detector.alerts', 'Alert states produced', '{alert}'), () => counters.alerts],
    [counter('portent.detector.skipped', 'Re-delivered records already in the restored checkpoint', '{record}'), () => counters.skipped],
  ] as const;
  meter.addBatchObservableCallback(
    (r) => {
      for (const [instrument, value] of observed) r.observe(instrument, value());
    },
    observed.map(([instrument]) => instrument),
  );
  const windowClose: Histogram = meter.createHistogram('portent.detector.window_close.seconds', {
    description: "Wall clock when a window's figures were produced minus the window's end (event time)",
    unit: 's',
    advice: { explicitBucketBoundaries: PIPELINE_SECONDS },
  });
  const batch: Histogram = meter.createHistogram('portent.detector.batch.seconds', {
    description: 'Handling one fetched batch: ingest, outputs, checkpoint',
    unit: 's',
    advice: { explicitBucketBoundaries: REQUEST_SECONDS },
  });
  return {
    windowClosed: (windowEnd) => {
      windowClose.record(Math.max(0, (now() - windowEnd) / 1000));
    },
    batchHandled: (seconds) => {
      batch.record(seconds);
    },
  };
}
