import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Subscription } from '../../common/avro/generated-types.ts';
import { MAX_PORTS, MAX_URL_LENGTH } from '../subscriptions.ts';
import type { SubscriptionStore } from '../subscriptions.ts';

const CreateBody = Type.Object(
  {
    // ajv-formats' `uri` accepts any scheme; the pattern narrows it to http(s).
    url: Type.String({ format: 'uri', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', maxLength: MAX_URL_LENGTH }),
    ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { maxItems: MAX_PORTS, uniqueItems: true })),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * What GET and list return. The response schema doubles as a filter: the
 * serializer writes only these properties, so the secret cannot leak even if
 * a handler passed the whole record.
 */
const SubscriptionView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  ports: Type.Array(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
});

/** Only the create response carries the secret: it is shown once, like a password. */
const CreatedView = Type.Object({ ...SubscriptionView.properties, secret: Type.String() });

const ListView = Type.Object({ items: Type.Array(SubscriptionView) });

type SubscriptionViewT = Static<typeof SubscriptionView>;

export function toView(sub: Subscription): SubscriptionViewT {
  return { id: sub.id, url: sub.url, ports: [...sub.ports], createdAt: new Date(sub.createdAt).toISOString() };
}

/** /v1/subscriptions: create, list, get, delete. Authentication is the caller's (app.ts) concern. */
export function subscriptionRoutes(app: FastifyInstance, store: SubscriptionStore): void {
  app.post<{ Body: Static<typeof CreateBody> }>(
    '/subscriptions',
    { schema: { body: CreateBody, response: { 201: CreatedView } } },
    async (req, reply) => {
      const sub = await store.create({ url: req.body.url, ports: req.body.ports });
      req.log.info({ subscriptionId: sub.id, ports: sub.ports.length }, 'subscription created');
      return reply.code(201).header('location', `/v1/subscriptions/${sub.id}`).send({ ...toView(sub), secret: sub.secret });
    },
  );

  app.get('/subscriptions', { schema: { response: { 200: ListView } } }, () => ({ items: store.list().map(toView) }));

  app.get<{ Params: Static<typeof IdParams> }>(
    '/subscriptions/:id',
    { schema: { params: IdParams, response: { 200: SubscriptionView } } },
    (req) => toView(store.get(req.params.id)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>('/subscriptions/:id', { schema: { params: IdParams } }, async (req, reply) => {
    await store.delete(req.params.id);
    req.log.info({ subscriptionId: req.params.id }, 'subscription deleted');
    return reply.code(204).send();
  });
}
