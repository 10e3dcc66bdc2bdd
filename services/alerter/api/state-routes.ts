import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Advisory, Alert, Silence } from '../../common/avro/generated-types.ts';
import { KINDS, PROTOCOLS, STATES } from '../filters.ts';
import { silenceInvalid } from '../errors.ts';
import type { TopicStore } from '../topic-store.ts';
import type { Clock } from '../../common/clock.ts';
import { Unprocessable } from './contract.ts';

const enumOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Key = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Time = Type.String({ format: 'date-time' });
/** DELETE answers 204 with no body, whether or not the id existed (deleting is idempotent). */
const Deleted = { 204: Type.Null({ description: 'Deleted' }) };

const AdvisoryBody = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$', description: 'e.g. MS05-027' }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    ports: Type.Array(Type.Object({ protocol: enumOf(PROTOCOLS), port: Port }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }),
    severity: enumOf(['LOW', 'MODERATE', 'IMPORTANT', 'CRITICAL'] as const),
    published: Time,
    workaround: Type.String({ maxLength: 2000 }),
    url: Type.Optional(Type.Union([Type.String({ format: 'uri', maxLength: 2048 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const AdvisoryView = Type.Object({ ...AdvisoryBody.properties, url: Type.Union([Type.String(), Type.Null()]) });

const SilenceBody = Type.Object(
  {
    ports: Type.Optional(Type.Array(Port, { maxItems: 1000, uniqueItems: true })),
    kinds: Type.Optional(Type.Array(enumOf(KINDS), { uniqueItems: true })),
    startsAt: Type.Optional(Time),
    endsAt: Time,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
const SilenceView = Type.Object({ id: Type.String(), ports: Type.Array(Type.Integer()), kinds: Type.Array(Type.String()), startsAt: Time, endsAt: Time, reason: Type.String(), createdAt: Time });

const AlertQuery = Type.Object(
  {
    // Query values are text (the API does not coerce types), so numbers are patterns here.
    port: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
    protocol: Type.Optional(enumOf(PROTOCOLS)),
    kind: Type.Optional(enumOf(KINDS)),
    state: Type.Optional(enumOf(STATES)),
    since: Type.Optional(Time),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

// Alerts are listed as the detector wrote them (schemas/alert.avsc): read generically, so new alert fields pass through.
const AlertList = Type.Object({ items: Type.Array(Type.Object({ alertId: Type.String(), kind: Type.String(), state: Type.String() }, { additionalProperties: true })) });

const iso = (ms: number): string => new Date(ms).toISOString();
const advisoryView = (a: Advisory) => ({ ...a, published: iso(a.published) });
const silenceView = (s: Silence) => ({ ...s, startsAt: iso(s.startsAt), endsAt: iso(s.endsAt), createdAt: iso(s.createdAt) });

/** /v1/advisories (writes need admin: they change how the detector scores worm risk). */
export function advisoryRoutes(app: FastifyInstance, store: TopicStore<Advisory>): void {
  const tags = ['advisories'];
  app.post<{ Body: Static<typeof AdvisoryBody> }>('/advisories', { config: { scope: 'admin' }, schema: { tags, body: AdvisoryBody, response: { 201: AdvisoryView } } }, async (req, reply) => {
    // The schema admits only the Avro enum symbols, so the narrowing casts are checked at run time.
    const a: Advisory = {
      ...req.body,
      ports: req.body.ports as Advisory['ports'],
      severity: req.body.severity as Advisory['severity'],
      published: Date.parse(req.body.published),
      url: req.body.url ?? null,
    };
    await store.put(a.id, a);
    req.log.info({ advisoryId: a.id }, 'advisory stored');
    return reply.code(201).header('location', `/v1/advisories/${a.id}`).send(advisoryView(a));
  });
  app.get('/advisories', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(AdvisoryView) }) } } }, () => ({
    items: store.values().sort((a, b) => b.published - a.published).map(advisoryView),
  }));
  app.get<{ Params: Static<typeof Key> }>('/advisories/:id', { schema: { tags, params: Key, response: { 200: AdvisoryView } } }, (req) => advisoryView(store.get(req.params.id)));
  app.delete<{ Params: Static<typeof Key> }>('/advisories/:id', { config: { scope: 'admin' }, schema: { tags, params: Key, response: Deleted } }, async (req, reply) => {
    await store.delete(req.params.id);
    return reply.code(204).send();
  });
}

/** /v1/silences: mute FIRING alerts of some ports and/or kinds for a while, with a reason. */
export function silenceRoutes(app: FastifyInstance, store: TopicStore<Silence>, now: Clock): void {
  const tags = ['silences'];
  app.post<{ Body: Static<typeof SilenceBody> }>('/silences', { schema: { tags, body: SilenceBody, response: { 201: SilenceView, ...Unprocessable } } }, async (req, reply) => {
    const created = now();
    const s: Silence = {
      id: `sil_${randomBytes(12).toString('base64url')}`,
      ports: req.body.ports ?? [],
      kinds: req.body.kinds ?? [],
      startsAt: req.body.startsAt === undefined ? created : Date.parse(req.body.startsAt),
      endsAt: Date.parse(req.body.endsAt),
      reason: req.body.reason,
      createdAt: created,
    };
    if (s.endsAt <= s.startsAt) throw silenceInvalid('body/endsAt', 'must be after startsAt');
    await store.put(s.id, s);
    req.log.info({ silenceId: s.id }, 'silence created');
    return reply.code(201).header('location', `/v1/silences/${s.id}`).send(silenceView(s));
  });
  app.get('/silences', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(SilenceView) }) } } }, () => ({
    items: store.values().sort((a, b) => a.startsAt - b.startsAt).map(silenceView),
  }));
  app.delete<{ Params: Static<typeof Key> }>('/silences/:id', { schema: { tags, params: Key, response: Deleted } }, async (req, reply) => {
    await store.delete(req.params.id);
    return reply.code(204).send();
  });
}

/** /v1/alerts: the latest state of each recent alert, newest first. */
export function alertRoutes(app: FastifyInstance, alerts: () => Iterable<Alert>): void {
  app.get<{ Querystring: Static<typeof AlertQuery> }>('/alerts', { schema: { tags: ['alerts'], querystring: AlertQuery, response: { 200: AlertList } } }, (req) => {
    const q = req.query;
    const since = q.since === undefined ? 0 : Date.parse(q.since);
    const items = [...alerts()]
      .filter((a) => (q.port === undefined || a.port === Number(q.port)) && (q.protocol === undefined || a.protocol === q.protocol))
      .filter((a) => (q.kind === undefined || a.kind === q.kind) && (q.state === undefined || a.state === q.state) && a.eventTime >= since)
      .sort((a, b) => b.eventTime - a.eventTime)
      .slice(0, Math.min(Number(q.limit ?? '100'), 1000));
    return { items };
  });
}
