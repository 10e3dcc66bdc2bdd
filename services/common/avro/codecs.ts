import type { Advisory, Alert, ConnectionBatch, DeliveryAttempt, DeliveryTask, PortPartial, PortStats, Silence, Subscription } from './generated-types.ts';
import { ConnectionBatchCodec } from './connection-batch-writer.ts';
import { readSchemaFile } from './schema-files.ts';
import { SingleObjectCodec } from './single-object.ts';

/** One codec per record type, built once from schemas/*.avsc. */
// Encodes with a fast writer for this schema and avsc for whatever it leaves (connection-batch-writer.ts).
export const connectionBatchCodec: SingleObjectCodec<ConnectionBatch> = new ConnectionBatchCodec(readSchemaFile('connection-batch'));
export const alertCodec = new SingleObjectCodec<Alert>(readSchemaFile('alert'));
export const portStatsCodec = new SingleObjectCodec<PortStats>(readSchemaFile('port-stats'));
export const subscriptionCodec = new SingleObjectCodec<Subscription>(readSchemaFile('subscription'));
export const advisoryCodec = new SingleObjectCodec<Advisory>(readSchemaFile('advisory'));
export const silenceCodec = new SingleObjectCodec<Silence>(readSchemaFile('silence'));
export const deliveryAttemptCodec = new SingleObjectCodec<DeliveryAttempt>(readSchemaFile('delivery-attempt'));
export const deliveryTaskCodec = new SingleObjectCodec<DeliveryTask>(readSchemaFile('delivery-task'));
export const portPartialCodec = new SingleObjectCodec<PortPartial>(readSchemaFile('port-partial'));
