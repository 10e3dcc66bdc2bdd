/**
 * The alerter's Prometheus metrics (the alert and retry consumers add
 * portent_consumer_lag{group,topic,partition}).
 *
 * | metric | meaning |
 * |---|---|
 * | portent_alerter_deliveries_total{worker,outcome} | deliveries of an alert state to one subscription: delivered, retrying (handed to the retry topic), failed (dead-lettered) |
 * | portent_alerter_attempts_total{outcome} | HTTP attempts: ok, or the failure reason (status, timeout, network, gone, blocked, …) |
 * | portent_alerter_attempt_seconds{outcome} | duration of one HTTP attempt |
 * | portent_alerter_alert_latency_seconds{worker} | from the alert record's Kafka timestamp (the detector produced it) to the receiver's 2xx; first attempts only (a retry's latency is its schedule) |
 */
import { metrics } from '@opentelemetry/api';
import type { Counter, Histogram } from '@opentelemetry/api';
import { PIPELINE_SECONDS, REQUEST_SECONDS } from '../common/telemetry/buckets.ts';

export type Worker = 'alerts' | 'retries';
export type DeliveryResult = 'delivered' | 'retrying' | 'failed';

interface Instruments {
  readonly deliveries: Counter;
  readonly attempts: Counter;
  readonly attemptSeconds: Histogram;
  readonly latency: Histogram;
}

let instruments: Instruments | undefined;

/** Created on first use, from whatever meter provider is registered then (none: no-ops). */
function get(): Instruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter('portent');
  instruments = {
    deliveries: meter.createCounter('portent.alerter.deliveries', { description: 'Deliveries of an alert state to one subscription, by outcome', unit: '{delivery}' }),
    attempts: meter.createCounter('portent.alerter.attempts', { description: 'HTTP attempts, by outcome', unit: '{attempt}' }),
    attemptSeconds: meter.createHistogram('portent.alerter.attempt.seconds', { description: 'Duration of one HTTP attempt', unit: 's', advice: { explicitBucketBoundaries: REQUEST_SECONDS } }),
    latency: meter.createHistogram('portent.alerter.alert_latency.seconds', {
      description: "From the alert record's Kafka timestamp to the receiver's 2xx",
      unit: 's',
      advice: { explicitBucketBoundaries: PIPELINE_SECONDS },
    }),
  };
  return instruments;
}

export function deliveryFinished(worker: Worker, result: DeliveryResult, alertTimestampMs: number, nowMs: number): void {
  const i = get();
  i.deliveries.add(1, { worker, outcome: result });
  if (result === 'delivered' && alertTimestampMs > 0) i.latency.record(Math.max(0, (nowMs - alertTimestampMs) / 1000), { worker });
}

export function attemptFinished(outcome: string, seconds: number): void {
  const i = get();
  i.attempts.add(1, { outcome });
  i.attemptSeconds.record(seconds, { outcome });
}
