/**
 * Every topic Portent uses. Names carry a version suffix: a breaking change of
 * a topic's schema or keying gets a new topic, never a silent change.
 *
 * | topic                | key            | value (Avro single-object)     | cleanup |
 * |----------------------|----------------|--------------------------------|---------|
 * | connections.v1       | "tcp/445"      | ConnectionBatch                | delete  |
 * | port-stats.v1        | "tcp/445"      | PortStats                      | delete  |
 * | alerts.v1            | alertId        | Alert                          | delete  |
 * | subscriptions.v1     | subscription id| Subscription, null = deleted   | compact |
 * | advisories.v1        | advisory id    | Advisory, null = deleted       | compact |
 * | silences.v1          | silence id     | Silence, null = deleted        | compact |
 * | delivery-attempts.v1 | sub/webhook/n  | DeliveryAttempt                | delete  |
 * | alerter-retries.v1   | subscription id| DeliveryTask                   | delete  |
 * | dead-letter.v1       | original key   | original bytes, reason headers | delete  |
 * | detector-state.v1    | group|partition[|port] | JSON checkpoint (internal)      | compact |
 * | port-partials.v1     | "tcp/445"      | PortPartial (internal)         | delete  |
 *
 * Keying connections by protocol/port puts every event of a port in one
 * partition, so one detector instance owns a port's window and baseline.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface TopicNames {
  readonly connections: string;
  readonly portStats: string;
  readonly alerts: string;
  readonly subscriptions: string;
  readonly advisories: string;
  readonly deadLetter: string;
  readonly silences: string;
  readonly deliveryAttempts: string;
  readonly alerterRetries: string;
  /** The detector's checkpoints (services/detector/stream/checkpoint.ts): internal, not a contract. */
  readonly detectorState: string;
  /** Partial windows of a hot port's sub-keys, to the instance that merges them (services/detector/hot-ports/merge.ts): internal. */
  readonly portPartials: string;
}

export function topicNames(prefix: string): TopicNames {
  return Object.freeze({
    connections: `${prefix}connections.v1`,
    portStats: `${prefix}port-stats.v1`,
    alerts: `${prefix}alerts.v1`,
    subscriptions: `${prefix}subscriptions.v1`,
    advisories: `${prefix}advisories.v1`,
    deadLetter: `${prefix}dead-letter.v1`,
    silences: `${prefix}silences.v1`,
    deliveryAttempts: `${prefix}delivery-attempts.v1`,
    alerterRetries: `${prefix}alerter-retries.v1`,
    detectorState: `${prefix}detector-state.v1`,
    portPartials: `${prefix}port-partials.v1`,
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Topic specs for `ensureTopics`; `partitions` scales the data topics. */
export function topicSpecs(names: TopicNames, partitions: number): TopicSpec[] {
  const keep = (days: number): Record<string, string> => ({ 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) });
  return [
    { name: names.connections, partitions, config: keep(3) },
    { name: names.portStats, partitions, config: keep(30) },
    { name: names.alerts, partitions, config: keep(90) },
    { name: names.deadLetter, partitions: 1, config: keep(14) },
    { name: names.deliveryAttempts, partitions: 1, config: keep(14) },
    { name: names.alerterRetries, partitions, config: keep(14) },
    { name: names.subscriptions, partitions: 1, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' } },
    { name: names.advisories, partitions: 1, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' } },
    { name: names.silences, partitions: 1, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' } },
    // One changelog partition per input partition: a checkpoint is one atomic record batch. Large messages: a hot port's sketches.
    { name: names.detectorState, partitions, config: { 'cleanup.policy': 'compact', 'max.message.bytes': String(64 * 1024 * 1024) } },
    // Keyed by the real port; read only by the merging detector, which checkpoints what it merged: a day covers any restart.
    // Large messages: a sub-key's window carries two sketches (16 KiB each when dense) and up to 4,096 tracked sources.
    { name: names.portPartials, partitions, config: { 'cleanup.policy': 'delete', 'retention.ms': String(DAY_MS), 'max.message.bytes': String(16 * 1024 * 1024) } },
  ];
}

/** Dead-letter record headers: why a record could not be processed, and where it came from. */
export const DeadLetterHeaders = {
  reason: 'portent-dlq-reason',
  message: 'portent-dlq-message',
  topic: 'portent-dlq-topic',
  partition: 'portent-dlq-partition',
  offset: 'portent-dlq-offset',
  consumer: 'portent-dlq-consumer',
} as const;
