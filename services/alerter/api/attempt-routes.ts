import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DeliveryAttempt } from '../../common/avro/generated-types.ts';
import { PortentError } from '../../common/errors.ts';
import { AlerterErrorCodes } from '../errors.ts';
import type { AttemptLog } from '../delivery/attempt-log.ts';
import type { SubscriptionStore } from '../subscriptions.ts';

export interface AttemptApi {
  readonly log: Pick<AttemptLog, 'list' | 'latest' | 'failedSince'>;
  readonly subscriptions: Pick<SubscriptionStore, 'get'>;
  /** Starts delivering the attempt's alert again (same webhook-id, current secret, full retry schedule); does not wait for it. */
  readonly replay: (attempt: DeliveryAttempt) => void;
}

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ReplayParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), webhookId: Type.String({ minLength: 1, maxLength: 256 }) });
const Query = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })) }, { additionalProperties: false });
const RecoverBody = Type.Object({ since: Type.String({ format: 'date-time' }) }, { additionalProperties: false });
const AttemptView = Type.Object({
  webhookId: Type.String(),
  attempt: Type.Integer(),
  status: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  detail: Type.String(),
  at: Type.String({ format: 'date-time' }),
});
const Replayed = Type.Object({ replayed: Type.Array(Type.String()) });

const view = (a: DeliveryAttempt): Static<typeof AttemptView> => ({ ...a, at: new Date(a.at).toISOString() });

/** /v1/subscriptions/:id/attempts, replay of one webhook, and recover-since. */
export function attemptRoutes(app: FastifyInstance, api: AttemptApi): void {
  const tags = ['delivery attempts'];
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
    '/subscriptions/:id/attempts',
    { schema: { tags, params: Params, querystring: Query, response: { 200: Type.Object({ items: Type.Array(AttemptView) }) } } },
    (req) => {
      api.subscriptions.get(req.params.id);
      return { items: api.log.list(req.params.id, Number(req.query.limit ?? '100')).map(view) };
    },
  );

  app.post<{ Params: Static<typeof ReplayParams> }>(
    '/subscriptions/:id/attempts/:webhookId/replay',
    { schema: { tags, params: ReplayParams, response: { 202: Replayed } } },
    (req, reply) => {
      api.subscriptions.get(req.params.id);
      const last = api.log.latest(req.params.id, req.params.webhookId);
      if (last === undefined) throw new PortentError(AlerterErrorCodes.NOT_FOUND, `no attempt of ${req.params.webhookId} to ${req.params.id}`);
      api.replay(last);
      return reply.code(202).send({ replayed: [last.webhookId] });
    },
  );

  app.post<{ Params: Static<typeof Params>; Body: Static<typeof RecoverBody> }>(
    '/subscriptions/:id/recover',
    { schema: { tags, params: Params, body: RecoverBody, response: { 202: Replayed } } },
    (req, reply) => {
      api.subscriptions.get(req.params.id);
      const failed = api.log.failedSince(req.params.id, Date.parse(req.body.since));
      for (const a of failed) api.replay(a);
      return reply.code(202).send({ replayed: failed.map((a) => a.webhookId) });
    },
  );
}
