import { advisoryCodec, alertCodec, deliveryAttemptCodec, silenceCodec, subscriptionCodec } from '../common/avro/codecs.ts';
import type { Advisory, Alert, DeliveryAttempt, Silence, Subscription } from '../common/avro/generated-types.ts';
import { isPortentError } from '../common/errors.ts';
import { CompactedTable } from '../common/kafka/table.ts';
import type { TopicNames } from '../common/kafka/topics.ts';
import type { KafkaTransport } from '../common/kafka/transport.ts';
import type { Logger } from '../common/logger.ts';

/**
 * The alerter's state, materialised from Kafka on every replica: the
 * compacted topics (subscriptions, silences, advisories), the attempt log and
 * the latest state of every retained alert. Each is read by a consumer group
 * of its own, `<group>-<table>`.
 */
export interface AlerterTables {
  readonly subscriptions: CompactedTable<Subscription>;
  readonly silences: CompactedTable<Silence>;
  readonly advisories: CompactedTable<Advisory>;
  readonly attempts: CompactedTable<DeliveryAttempt>;
  /** Keyed by alertId: the latest state of every alert still retained. */
  readonly alerts: CompactedTable<Alert>;
}

export function alerterTables(): AlerterTables {
  return {
    subscriptions: new CompactedTable<Subscription>((v) => subscriptionCodec.decode(v)),
    silences: new CompactedTable<Silence>((v) => silenceCodec.decode(v)),
    advisories: new CompactedTable<Advisory>((v) => advisoryCodec.decode(v)),
    attempts: new CompactedTable<DeliveryAttempt>((v) => deliveryAttemptCodec.decode(v)),
    alerts: new CompactedTable<Alert>((v) => alertCodec.decode(v)),
  };
}

/** Starts every table and resolves once each has caught up with its topic. Unreadable records are skipped, never logged (subscriptions hold secrets). */
export async function catchUp(tables: AlerterTables, transport: KafkaTransport, topics: TopicNames, groupId: string, logger: Logger): Promise<void> {
  const skip = (name: string) => (record: { partition: number; offset: string }, err: unknown) => {
    logger.warn({ table: name, code: isPortentError(err) ? err.code : 'unexpected', partition: record.partition, offset: record.offset }, 'unreadable record skipped');
  };
  const group = (name: string): string => `${groupId}-${name}`;
  await Promise.all([
    tables.subscriptions.start(transport, topics.subscriptions, group('subscriptions'), skip('subscriptions')),
    tables.silences.start(transport, topics.silences, group('silences'), skip('silences')),
    tables.advisories.start(transport, topics.advisories, group('advisories'), skip('advisories')),
    tables.attempts.start(transport, topics.deliveryAttempts, group('attempts'), skip('attempts')),
    tables.alerts.start(transport, topics.alerts, group('recent-alerts'), skip('alerts')),
  ]);
}

/** Every table by name, for shutdown. */
export function namedTables(tables: AlerterTables): [string, { close(): Promise<void> }][] {
  return [['subscriptions', tables.subscriptions], ['silences', tables.silences], ['advisories', tables.advisories], ['attempts', tables.attempts], ['alerts', tables.alerts]];
}
