import type { Advisory, Alert, ConnectionBatch, PortStats, Subscription } from './generated-types.ts';
import { readSchemaFile } from './schema-files.ts';
import { SingleObjectCodec } from './single-object.ts';

/** One codec per record type, built once from schemas/*.avsc. */
export const connectionBatchCodec = new SingleObjectCodec<ConnectionBatch>(readSchemaFile('connection-batch'));
export const alertCodec = new SingleObjectCodec<Alert>(readSchemaFile('alert'));
export const portStatsCodec = new SingleObjectCodec<PortStats>(readSchemaFile('port-stats'));
export const subscriptionCodec = new SingleObjectCodec<Subscription>(readSchemaFile('subscription'));
export const advisoryCodec = new SingleObjectCodec<Advisory>(readSchemaFile('advisory'));
