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
import { subscriptionCodec } from '../../../services/common/avro/codecs.ts';
import type { Alert, Subscription } from '../../../services/common/avro/generated-types.ts';
import { CompactedTable } from '../../../services/common/kafka/table.ts';
import type { Logger } from '../../../services/common/logger.ts';
import type { FastifyInstance } from 'fastify';
import type { ReadinessChecks } from '../../../services/alerter/api/health-routes.ts';
import { buildApp } from '../../../services/alerter/app.ts';
import { sampleAlert as baseAlert } from '../../support/alerts.ts';
import { SubscriptionStore } from '../../../services/alerter/subscriptions.ts';

export const TOKEN = 'test-token-0123456789abcdef';
export const OTHER_TOKEN = 'other-token-0123456789abcdef';
/** Headers of an authenticated API call. */
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return baseAlert({ alertId: 'surge-tcp-445-1795766400000', ...overrides });
}

export interface MemoryStore {
  readonly store: SubscriptionStore;
  readonly table: CompactedTable<Subscription>;
  /** Every write, in order, as the topic would hold it (null = tombstone). */
  readonly writes: [string, Subscription | null][];
  /** Makes the next writes reject, as a broker outage would. */
  readonly failWrites: (on: boolean) => void;
}

/** A store whose writer encodes with the real Avro codec (so schema mismatches fail) and keeps records in memory. */
export function memoryStore(opts: { ready?: boolean; now?: () => number } = {}): MemoryStore {
  const table = new CompactedTable<Subscription>((b) => subscriptionCodec.decode(b));
  const writes: [string, Subscription | null][] = [];
  let failing = false;
  const store = new SubscriptionStore({
    table,
    now: opts.now ?? (() => Date.parse('2026-11-27T08:00:00Z')),
    writer: {
      write(id, value) {
        if (failing) return Promise.reject(new Error('broker unavailable'));
        writes.push([id, value === null ? null : subscriptionCodec.decode(subscriptionCodec.encode(value))]);
        return Promise.resolve();
      },
    },
  });
  if (opts.ready ?? true) store.markReady();
  return { store, table, writes, failWrites: (on) => (failing = on) };
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
}

/** The API over a memory store, closed when the test finishes. */
export function testApp(opts: { ready?: boolean; logger?: Logger; readiness?: ReadinessChecks } = {}): TestApp {
  const memory = memoryStore({ ready: opts.ready ?? true });
  const app = buildApp({
    config: { apiTokens: [TOKEN, OTHER_TOKEN] },
    subscriptions: memory.store,
    logger: opts.logger ?? silentLogger(),
    ...(opts.readiness === undefined ? {} : { readiness: opts.readiness }),
  });
  onTestFinished(() => app.close());
  return { app, ...memory };
}
