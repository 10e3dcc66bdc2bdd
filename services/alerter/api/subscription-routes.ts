import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Subscription } from '../../common/avro/generated-types.ts';
import { subscriptionInvalid } from '../errors.ts';
import type { SubscriptionStore } from '../subscriptions.ts';
import { Unprocessable } from './contract.ts';
import { CreateBody, CreatedView, DEFAULT_GRACE_SECONDS, IdParams, ListView, PatchBody, RotateBody, SubscriptionView, toView } from './subscription-schemas.ts';
import type { Clock } from '../../common/clock.ts';

/** Sends one synthetic alert to one subscription, once, and says what happened. */
export type Pinger = (sub: Subscription) => Promise<PingResult>;

export const PingResultView = Type.Object({
  delivered: Type.Boolean(),
  status: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Number(),
  error: Type.Union([Type.String(), Type.Null()]),
  webhookId: Type.String(),
});
export type PingResult = Static<typeof PingResultView>;

export interface SubscriptionRouteOptions {
  readonly store: SubscriptionStore;
  /** Decides which rotated secrets are still in their grace period. */
  readonly clock: Clock;
  /** Refuses URLs whose literal IP the SSRF guard would refuse anyway: a clear 400 now beats failed deliveries later. */
  readonly urlRefused?: (url: URL) => boolean;
  readonly ping?: Pinger;
}

type Id = { Params: Static<typeof IdParams> };
const tags = ['subscriptions'];

/** /v1/subscriptions: CRUD, pause/resume, secret rotation, test ping. Authentication is app.ts's concern. */
export function subscriptionRoutes(app: FastifyInstance, opts: SubscriptionRouteOptions): void {
  const { store } = opts;
  const checkUrl = (url: string | undefined): void => {
    // A URL the schema's `uri` format admits but WHATWG cannot parse ("HTTP://") is the store's to refuse (422), not a crash here.
    if (url !== undefined && URL.canParse(url) && opts.urlRefused?.(new URL(url)) === true) throw subscriptionInvalid('body/url', 'points at an address the SSRF guard refuses');
  };

  app.post<{ Body: Static<typeof CreateBody> }>('/subscriptions', { schema: { tags, body: CreateBody, response: { 201: CreatedView, ...Unprocessable } } }, async (req, reply) => {
    checkUrl(req.body.url);
    const sub = await store.create(req.body);
    req.log.info({ subscriptionId: sub.id, format: sub.format }, 'subscription created');
    return reply.code(201).header('location', `/v1/subscriptions/${sub.id}`).send({ ...toView(sub, opts.clock()), secret: sub.secret });
  });

  app.get('/subscriptions', { schema: { tags, response: { 200: ListView } } }, () => ({ items: store.list().map((s) => toView(s, opts.clock())) }));

  app.get<Id>('/subscriptions/:id', { schema: { tags, params: IdParams, response: { 200: SubscriptionView } } }, (req) => toView(store.get(req.params.id), opts.clock()));

  app.patch<Id & { Body: Static<typeof PatchBody> }>(
    '/subscriptions/:id',
    { schema: { tags, params: IdParams, body: PatchBody, response: { 200: SubscriptionView, ...Unprocessable } } },
    async (req) => {
      checkUrl(req.body.url);
      const sub = await store.update(req.params.id, req.body);
      req.log.info({ subscriptionId: sub.id, fields: Object.keys(req.body) }, 'subscription updated');
      return toView(sub, opts.clock());
    },
  );

  app.delete<Id>('/subscriptions/:id', { schema: { tags, params: IdParams, response: { 204: Type.Null({ description: 'Deleted' }) } } }, async (req, reply) => {
    await store.delete(req.params.id);
    req.log.info({ subscriptionId: req.params.id }, 'subscription deleted');
    return reply.code(204).send();
  });

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post<Id>(`/subscriptions/:id/${action}`, { schema: { tags, params: IdParams, response: { 200: SubscriptionView } } }, async (req) => {
      const sub = await store.setPaused(req.params.id, paused);
      req.log.info({ subscriptionId: sub.id }, `subscription ${action}d`);
      return toView(sub, opts.clock());
    });
  }

  app.post<Id & { Body: Static<typeof RotateBody> | undefined }>(
    '/subscriptions/:id/rotate-secret',
    { schema: { tags, params: IdParams, body: Type.Optional(RotateBody), response: { 200: CreatedView } } },
    async (req) => {
      const sub = await store.rotate(req.params.id, (req.body?.graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000);
      req.log.info({ subscriptionId: sub.id }, 'subscription secret rotated');
      return { ...toView(sub, opts.clock()), secret: sub.secret };
    },
  );

  app.post<Id>('/subscriptions/:id/test', { schema: { tags, params: IdParams, response: { 200: PingResultView } } }, async (req, reply) => {
    const sub = store.get(req.params.id);
    if (opts.ping === undefined) return reply.code(503).send({ error: { code: 'ALERTER_ERR_NOT_READY', message: 'delivery is not running' } });
    return opts.ping(sub);
  });
}
