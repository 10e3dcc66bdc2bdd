import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { RetryPlan } from '../../../../services/alerter/delivery/retry-plan.ts';
import { deliver } from '../../../../services/alerter/delivery/deliver.ts';
import type { DeliveryOptions } from '../../../../services/alerter/delivery/deliver.ts';
import { generateSecret } from '../../../../services/alerter/secrets.ts';
import { buildWebhook } from '../../../../services/alerter/delivery/webhook.ts';
import type { Subscription } from '../../../../services/common/avro/generated-types.ts';
import { always, loopbackHttp, sampleAlert, sampleSubscription, silentLogger, startTestServer, stringHeaders } from '../fixtures.ts';
import { systemClock } from '../../../../services/common/clock.ts';

const settings = { timeoutMs: 2_000, maxResponseBytes: 1_024 };
const plan = new RetryPlan([1_000, 5_000, 30_000], () => 0.5);

/** Options whose sleep returns at once and records what it was asked to wait. */
function options(overrides: Partial<DeliveryOptions> = {}): DeliveryOptions & { slept: number[] } {
  const slept: number[] = [];
  return {
    settings,
    http: loopbackHttp(),
    logger: silentLogger(),
    plan,
    now: systemClock,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...overrides,
    slept,
  };
}

function webhookTo(url: string) {
  const sub: Subscription = sampleSubscription({ id: 'sub_1', url, secret: generateSecret() });
  return { sub, webhook: buildWebhook(sub, sampleAlert(), systemClock()) };
}

describe('deliver', () => {
  it('retries a 500 and succeeds on the second attempt, re-signing under the same webhook-id', async () => {
    const server = await startTestServer((_req, res, i) => res.writeHead(i === 0 ? 500 : 200).end());
    const { sub, webhook } = webhookTo(server.url);
    const opts = options();
    const outcome = await deliver(webhook, opts);
    expect(outcome).toMatchObject({ delivered: true, status: 200, attempts: 2, error: null });
    expect(opts.slept).toEqual([1_000]);
    expect(server.requests.map((r) => r.headers['webhook-id'])).toEqual([webhook.id, webhook.id]);
    for (const r of server.requests) expect(new Verifier(sub.secret).verify(r.body, stringHeaders(r.headers))).toBeTruthy();
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const elsewhere = await startTestServer(always(200));
    const server = await startTestServer(always(302, { location: elsewhere.url }));
    const outcome = await deliver(webhookTo(server.url).webhook, options({ plan: RetryPlan.once() }));
    expect(outcome).toMatchObject({ delivered: false, status: 302, attempts: 1 });
    expect(outcome.error).toMatchObject({ code: 'ALERTER_ERR_DELIVERY_FAILED', fields: { reason: 'redirect', status: 302, attempt: 1, canRetry: true } });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('stops at once on 410 Gone', async () => {
    const server = await startTestServer(always(410));
    const opts = options();
    const outcome = await deliver(webhookTo(server.url).webhook, opts);
    expect(outcome).toMatchObject({ delivered: false, status: 410, attempts: 1 });
    expect(outcome.error).toMatchObject({ canRetry: false, fields: { reason: 'gone', subscriptionId: 'sub_1' } });
    expect(opts.slept).toEqual([]);
  });

  it('fails after the whole schedule when the receiver keeps failing', async () => {
    const server = await startTestServer(always(503));
    const opts = options();
    const outcome = await deliver(webhookTo(server.url).webhook, opts);
    expect(outcome).toMatchObject({ delivered: false, status: 503, attempts: 4 });
    expect(outcome.error).toMatchObject({ code: 'ALERTER_ERR_DELIVERY_FAILED', fields: { reason: 'status', attempt: 4 } });
    expect(opts.slept).toEqual([1_000, 5_000, 30_000]);
  });

  it('counts a receiver that does not answer in time as failed', async () => {
    const server = await startTestServer(() => undefined);
    const outcome = await deliver(webhookTo(server.url).webhook, options({ settings: { ...settings, timeoutMs: 100 }, plan: RetryPlan.once() }));
    expect(outcome).toMatchObject({ delivered: false, status: null, attempts: 1 });
    expect(outcome.error).toMatchObject({ fields: { reason: 'timeout', status: null } });
  });

  it('waits as long as Retry-After asks when that beats the schedule', async () => {
    const server = await startTestServer((_req, res, i) => res.writeHead(i === 0 ? 429 : 204, i === 0 ? { 'retry-after': '120' } : {}).end());
    const opts = options();
    expect(await deliver(webhookTo(server.url).webhook, opts)).toMatchObject({ delivered: true, attempts: 2 });
    expect(opts.slept).toEqual([120_000]);
  });

  it('keeps to the schedule when Retry-After asks for less', async () => {
    const server = await startTestServer((_req, res, i) => res.writeHead(i === 0 ? 503 : 204, { 'retry-after': '0' }).end());
    const opts = options();
    await deliver(webhookTo(server.url).webhook, opts);
    expect(opts.slept).toEqual([1_000]);
  });

  it('rejects with ALERTER_ERR_DELIVERY_ABORTED when shut down while waiting', async () => {
    const server = await startTestServer(always(500));
    const abort = new AbortController();
    const opts = options({
      signal: abort.signal,
      sleep: (_ms, signal) => {
        abort.abort(new Error('shutdown'));
        return Promise.reject(signal?.reason as Error);
      },
    });
    await expect(deliver(webhookTo(server.url).webhook, opts)).rejects.toMatchObject({ code: 'ALERTER_ERR_DELIVERY_ABORTED' });
    expect(server.requests).toHaveLength(1);
  });
});
