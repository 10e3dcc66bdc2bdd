/**
 * The console's JSON API over the store (all under /v1, behind the bearer
 * tokens): who am I, the overview, a port's chart data, alerts.
 */
import type { Clock } from '../../common/clock.ts';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { consoleError, ConsoleErrorCodes } from '../errors.ts';
import { overview } from '../overview.ts';
import type { AlertStore } from '../store/alerts.ts';
import { portId, PROTOCOLS } from '../store/database.ts';
import type { ProtocolName } from '../store/database.ts';
import type { PortStatsStore } from '../store/port-stats.ts';
import type { Scope } from '../../common/scoped-tokens.ts';

/**
 * A chart longer than a day is drawn from 5-minute buckets: 2,016 points
 * instead of 10,080 for 7 days, more than a screen has pixels across, and an
 * answer a fifth the size (bench/console-store.bench.ts).
 */
export const LONG_RANGE_MS = 86_400_000;
export const LONG_RANGE_BUCKET_MS = 5 * 60_000;

/** Chart ranges the port page offers: 1 h, 24 h, 7 d. */
export const RANGES_MS: Readonly<Record<string, number>> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export interface DataApi {
  readonly portStats: PortStatsStore;
  readonly alerts: AlertStore;
  readonly now: Clock;
  readonly scopeOf: (authorization: string | undefined) => Scope | null;
}

const PortParams = Type.Object({ protocol: Type.String({ pattern: '^(tcp|udp|icmp)$' }), port: Type.String({ pattern: '^[0-9]{1,5}$' }) });
const RangeQuery = Type.Object({
  range: Type.Optional(Type.String({ pattern: '^(1h|24h|7d)$' })),
  from: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  to: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
}, { additionalProperties: false });
const AlertQuery = Type.Object({
  port: Type.Optional(Type.String({ pattern: '^(tcp|udp|icmp)/[0-9]{1,5}$' })),
  kind: Type.Optional(Type.String({ pattern: '^[A-Z_]{1,32}$' })),
  active: Type.Optional(Type.String({ pattern: '^(true|false)$' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
}, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

function parsePort(protocol: string, port: string): number {
  const n = Number(port);
  if (n > 65_535) throw consoleError(ConsoleErrorCodes.INVALID_REQUEST, `port ${port} is out of range`, { port });
  const name = protocol.toUpperCase() as ProtocolName;
  if (!PROTOCOLS.includes(name)) throw consoleError(ConsoleErrorCodes.INVALID_REQUEST, `unknown protocol ${protocol}`, { protocol });
  return portId(name, n);
}

export function dataRoutes(app: FastifyInstance, api: DataApi): void {
  app.get('/session', (req) => ({ scope: api.scopeOf(req.headers.authorization) }));

  app.get<{ Querystring: { limit?: string } }>('/overview', { schema: { querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })) }) } }, (req) =>
    overview(api, api.now(), Number(req.query.limit ?? '50')),
  );

  app.get<{ Params: Static<typeof PortParams>; Querystring: Static<typeof RangeQuery> }>(
    '/ports/:protocol/:port',
    { schema: { params: PortParams, querystring: RangeQuery } },
    (req) => {
      const id = parsePort(req.params.protocol, req.params.port);
      const to = req.query.to === undefined ? api.now() : Number(req.query.to);
      const from = req.query.from === undefined ? to - (RANGES_MS[req.query.range ?? '24h'] ?? 0) : Number(req.query.from);
      if (from >= to) throw consoleError(ConsoleErrorCodes.INVALID_REQUEST, 'from must be before to', { from, to });
      const alerts = api.alerts.onPort(id, from, to).map((a) => ({
        alertId: a.alertId, kind: a.kind, state: a.state, sequence: a.sequence, severity: a.severity, windowStart: a.windowStart, threshold: a.baseline.threshold,
      }));
      const bucketMs = to - from > LONG_RANGE_MS ? LONG_RANGE_BUCKET_MS : 0;
      return { protocol: req.params.protocol, port: Number(req.params.port), from, to, bucketMs, series: api.portStats.series(id, from, to, bucketMs), alerts };
    },
  );

  app.get<{ Querystring: Static<typeof AlertQuery> }>('/alerts', { schema: { querystring: AlertQuery } }, (req) => {
    const [protocol, port] = req.query.port?.split('/') ?? [];
    const id = protocol === undefined || port === undefined ? undefined : parsePort(protocol, port);
    return {
      items: api.alerts.recent({
        limit: Number(req.query.limit ?? '100'),
        active: req.query.active === 'true',
        ...(id === undefined ? {} : { portId: id }),
        ...(req.query.kind === undefined ? {} : { kind: req.query.kind }),
      }),
    };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/alerts/:id', { schema: { params: IdParams } }, (req) => {
    const states = api.alerts.states(req.params.id);
    if (states.length === 0) throw consoleError(ConsoleErrorCodes.NOT_FOUND, `alert ${req.params.id} not found`, { id: req.params.id });
    return { alertId: req.params.id, states };
  });
}
