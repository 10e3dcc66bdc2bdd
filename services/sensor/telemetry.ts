/**
 * The sensor's Prometheus metrics. They read SensorMetrics at scrape time
 * (observable instruments), so the hot path only bumps plain numbers:
 *
 * | metric | meaning |
 * |---|---|
 * | portent_sensor_events_read_total | events parsed from the input |
 * | portent_sensor_events_published_total | events the broker acknowledged |
 * | portent_sensor_records_published_total | records (batches) acknowledged |
 * | portent_sensor_events_dropped_total{reason} | events that will never be sent (e.g. spool_full) |
 * | portent_sensor_input_skipped_total{reason} | unreadable lines/packets skipped |
 * | portent_sensor_spool_events, _spool_records, _spool_bytes | what waits on disk for the broker |
 * | portent_sensor_broker_up | 1 while sends succeed, 0 while spooling |
 * | portent_sensor_send_duration_seconds | one send of a batch of records, until acks=all |
 */
import { metrics } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/api';
import { REQUEST_SECONDS } from '../common/telemetry/buckets.ts';
import type { SensorMetrics } from './metrics.ts';

export function observeSensor(sensor: SensorMetrics, sensorId: string): void {
  const meter = metrics.getMeter('portent');
  const attrs = { sensor: sensorId };
  const counter = (name: string, description: string, unit: string) => meter.createObservableCounter(name, { description, unit });
  const gauge = (name: string, description: string, unit: string) => meter.createObservableGauge(name, { description, unit });
  const read = counter('portent.sensor.events.read', 'Events parsed from the input', '{event}');
  const published = counter('portent.sensor.events.published', 'Events acknowledged by the broker', '{event}');
  const records = counter('portent.sensor.records.published', 'Records (event batches) acknowledged by the broker', '{record}');
  const dropped = counter('portent.sensor.events.dropped', 'Events that will never reach the broker, by reason', '{event}');
  const skipped = counter('portent.sensor.input.skipped', 'Unreadable lines or packets skipped, by reason', '{line}');
  const spoolEvents = gauge('portent.sensor.spool.events', 'Events waiting in the disk spool', '{event}');
  const spoolRecords = gauge('portent.sensor.spool.records', 'Records waiting in the disk spool', '{record}');
  const spoolBytes = gauge('portent.sensor.spool.bytes', 'Size of the disk spool', 'By');
  const brokerUp = gauge('portent.sensor.broker.up', '1 while sends succeed, 0 while spooling', '1');
  meter.addBatchObservableCallback(
    (r) => {
      const s = sensor.snapshot();
      r.observe(read, s.eventsRead, attrs);
      r.observe(published, s.eventsPublished, attrs);
      r.observe(records, s.recordsPublished, attrs);
      for (const [reason, n] of Object.entries(s.eventsDropped)) r.observe(dropped, n, { ...attrs, reason });
      for (const [reason, n] of Object.entries(s.inputSkipped)) r.observe(skipped, n, { ...attrs, reason });
      r.observe(spoolEvents, s.spoolEvents, attrs);
      r.observe(spoolRecords, s.spoolRecords, attrs);
      r.observe(spoolBytes, s.spoolBytes, attrs);
      r.observe(brokerUp, s.brokerUp ? 1 : 0, attrs);
    },
    [read, published, records, dropped, skipped, spoolEvents, spoolRecords, spoolBytes, brokerUp],
  );
}

let sendDuration: Histogram | undefined;

/** Seconds one send took until every record was acknowledged (or failed). */
export function recordSendDuration(seconds: number, ok: boolean): void {
  sendDuration ??= metrics.getMeter('portent').createHistogram('portent.sensor.send.duration.seconds', {
    description: 'One send of a batch of records to the broker, until acks=all or failure',
    unit: 's',
    advice: { explicitBucketBoundaries: REQUEST_SECONDS },
  });
  sendDuration.record(seconds, { outcome: ok ? 'ok' : 'failed' });
}
