/**
 * Test environment for the alerter's unit tests: sample records, a
 * subscription store over a real CompactedTable with an in-memory writer,
 * loggers, and a real HTTP receiver on 127.0.0.1 that is closed when the
 * test finishes.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { onTestFinished } from 'vitest';
import { advisoryCodec, deliveryAttemptCodec, silenceCodec, subscriptionCodec } from '../../../services/common/avro/codecs.ts';
import type { Advisory, Alert, DeliveryAttempt, Silence, Subscription } from '../../../services/common/avro/generated-types.ts';
import { CompactedTable } from '../../../services/common/kafka/table.ts';
import type { Logger } from '../../../services/common/logger.ts';
import type { FastifyInstance } from 'fastify';
import type { ReadinessChecks } from '../../../services/alerter/api/health-routes.ts';
import { buildApp } from '../../../services/alerter/app.ts';
import { sampleAlert as baseAlert } from '../../support/alerts.ts';
import { SubscriptionStore } from '../../../services/alerter/subscriptions.ts';
import { AddressPolicy, guardedDispatcher, literalRefused } from '../../../services/alerter/delivery/ssrf.ts';
import { TopicStore } from '../../../services/alerter/topic-store.ts';
import { AttemptLog } from '../../../services/alerter/delivery/attempt-log.ts';
import type { Pinger } from '../../../services/alerter/api/subscription-routes.ts';
import type { Dispatcher } from 'undici';
import { systemClock } from '../../../services/common/clock.ts';
import type { Clock } from '../../../services/common/clock.ts';

export const TOKEN = 'test-token-0123456789abcdef';
export const OTHER_TOKEN = 'other-token-0123456789abcdef';
export const READ_TOKEN = 'reader-token-0123456789abcdef';
export const WRITE_TOKEN = 'writer-token-0123456789abcdef';
/** Headers of an authenticated API call. */
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return baseAlert({ alertId: 'surge-tcp-445-1795766400000', ...overrides });
}

/** A complete subscription record (as the Avro schema's defaults would give), with overrides. */
export function sampleSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub_1',
    url: 'https://example.test/hook',
    ports: [],
    secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
    createdAt: 0,
    portRanges: [],
    protocols: [],
    kinds: [],
    states: [],
    minSeverity: null,
    minRisk: null,
    format: 'CLOUDEVENTS',
    paused: false,
    disabledReason: null,
    previousSecrets: [],
    signingKey: null,
    routingKey: null,
    updatedAt: 0,
    ...overrides,
  };
}

/**
 * The delivery HTTP client with the real SSRF guard, admitting loopback
 * explicitly (as an operator would with PORTENT_ALERTER_ALLOWED_CIDRS), so
 * tests reach their receivers on 127.0.0.1. Closed when the test finishes.
 */
export function loopbackHttp(): { dispatcher: Dispatcher; policy: AddressPolicy } {
  const policy = new AddressPolicy(['127.0.0.1/32', '::1/128']);
  const dispatcher = guardedDispatcher(policy);
  onTestFinished(() => dispatcher.destroy());
  return { dispatcher, policy };
}

/** A clock stopped at 2026-11-27 08:00 UTC, for tests that check times the store writes. */
export const pinnedClock: Clock = () => Date.parse('2026-11-27T08:00:00Z');

export interface MemoryStore {
  readonly store: SubscriptionStore;
  /** The store's clock: give the same one to every other part of the test (sender, app, pipeline). */
  readonly clock: Clock;
  readonly table: CompactedTable<Subscription>;
  /** Every write, in order, as the topic would hold it (null = tombstone). */
  readonly writes: [string, Subscription | null][];
  /** Makes the next writes reject, as a broker outage would. */
  readonly failWrites: (on: boolean) => void;
}

/**
 * A store whose writer encodes with the real Avro codec (so schema mismatches
 * fail) and keeps records in memory. Its clock is the machine's unless the
 * test pins one; either way the test hands `clock` to every other part, so no
 * decision is taken against a different time (a webhook verifier such as
 * standardwebhooks checks signatures against the machine's clock).
 */
export function memoryStore(opts: { ready?: boolean; now?: Clock } = {}): MemoryStore {
  const clock = opts.now ?? systemClock;
  const table = new CompactedTable<Subscription>((b) => subscriptionCodec.decode(b));
  const writes: [string, Subscription | null][] = [];
  let failing = false;
  const store = new SubscriptionStore({
    table,
    now: clock,
    writer: {
      write(id, value) {
        if (failing) return Promise.reject(new Error('broker unavailable'));
        writes.push([id, value === null ? null : subscriptionCodec.decode(subscriptionCodec.encode(value))]);
        return Promise.resolve();
      },
    },
  });
  if (opts.ready ?? true) store.markReady();
  return { store, clock, table, writes, failWrites: (on) => (failing = on) };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger at trace level whose lines are kept, to check what reaches the logs. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace', redact: ['req.headers.authorization'] }, sink), lines };
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Respond = (req: ReceivedRequest, res: ServerResponse, index: number) => void;

export interface TestServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
}

/** A real HTTP server on 127.0.0.1:0; `respond` answers request number `index` (0-based). */
export async function startTestServer(respond: Respond): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      respond(r, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, requests };
}

/** Answers every request with `status` (and optional headers). */
export function always(status: number, headers: Record<string, string> = {}): Respond {
  return (_req, res) => {
    res.writeHead(status, headers).end();
  };
}

/** Plain string headers, as the standardwebhooks verifier expects them. */
export function stringHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

export interface TestApp extends MemoryStore {
  readonly app: FastifyInstance;
  readonly advisories: TopicStore<Advisory>;
  readonly silences: TopicStore<Silence>;
  /** Alerts GET /v1/alerts serves. */
  readonly alerts: Alert[];
  /** Attempts replayed through the API. */
  readonly replayed: DeliveryAttempt[];
  readonly attempts: AttemptLog;
}

/** A TopicStore over a real CompactedTable whose writer round-trips every value through its Avro codec. */
export function memoryTopicStore<V>(what: string, codec: { encode(v: V): Buffer; decode(b: Buffer): V }): TopicStore<V> {
  const table = new CompactedTable<V>((b) => codec.decode(b));
  return new TopicStore<V>(what, table, { write: (_key, value) => Promise.resolve(value === null ? undefined : void codec.decode(codec.encode(value))) });
}

/** The API over memory stores, closed when the test finishes. */
export function testApp(opts: { ready?: boolean; logger?: Logger; readiness?: ReadinessChecks; ping?: Pinger; now?: Clock } = {}): TestApp {
  const memory = memoryStore({ ready: opts.ready ?? true, ...(opts.now === undefined ? {} : { now: opts.now }) });
  const advisories = memoryTopicStore('advisory', advisoryCodec);
  const silences = memoryTopicStore('silence', silenceCodec);
  const alerts: Alert[] = [];
  const replayed: DeliveryAttempt[] = [];
  const attempts = new AttemptLog({ table: new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b)), topic: 'attempts', logger: silentLogger() });
  const app = buildApp({
    config: { apiTokens: [TOKEN, OTHER_TOKEN, `read:${READ_TOKEN}`, `write:${WRITE_TOKEN}`] },
    clock: memory.clock,
    subscriptions: memory.store,
    logger: opts.logger ?? silentLogger(),
    advisories,
    silences,
    alerts: () => alerts,
    attempts: { log: attempts, subscriptions: memory.store, replay: (a) => replayed.push(a) },
    urlRefused: (url) => literalRefused(new AddressPolicy([]), url),
    ...(opts.ping === undefined ? {} : { ping: opts.ping }),
    ...(opts.readiness === undefined ? {} : { readiness: opts.readiness }),
  });
  onTestFinished(() => app.close());
  return { app, ...memory, advisories, silences, alerts, replayed, attempts };
}
