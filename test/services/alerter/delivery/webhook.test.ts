import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../../../../services/alerter/secrets.ts';
import { buildWebhook, eventType, requestHeaders, webhookId } from '../../../../services/alerter/delivery/webhook.ts';
import type { Subscription } from '../../../../services/common/avro/generated-types.ts';
import { sampleAlert, sampleSubscription } from '../fixtures.ts';
import { systemClock } from '../../../../services/common/clock.ts';

/** The instant the webhooks are built at: only rotated secrets' grace periods depend on it. */
const NOW = Date.parse('2026-11-27T08:01:00Z');

const sub: Subscription = sampleSubscription({ id: 'sub_1', url: 'https://example.test/hook', ports: [], secret: generateSecret(), createdAt: 0 });

describe('webhook', () => {
  it('names the event portent.alert.<kind>.<state> in lowercase', () => {
    expect(eventType({ kind: 'SURGE', state: 'FIRING' })).toBe('portent.alert.surge.firing');
    expect(eventType({ kind: 'WORM_RISK', state: 'RESOLVED' })).toBe('portent.alert.worm_risk.resolved');
  });

  it('builds a structured CloudEvent by default: webhook-id as id, event time, the alert as data', () => {
    const alert = sampleAlert({ state: 'UPDATED', sequence: 2 });
    const webhook = buildWebhook(sub, alert, NOW);
    expect(JSON.parse(webhook.body)).toEqual({
      specversion: '1.0',
      id: 'msg_surge-tcp-445-1795766400000_2',
      source: '/portent/alerter',
      type: 'portent.alert.surge.updated',
      subject: 'tcp/445',
      time: '2026-11-27T08:01:00.000Z',
      datacontenttype: 'application/json',
      data: alert,
    });
    expect(webhook.contentType).toBe('application/cloudevents+json');
    expect(webhook).toMatchObject({ subscriptionId: 'sub_1', url: sub.url, id: 'msg_surge-tcp-445-1795766400000_2', secrets: [sub.secret] });
  });

  it('derives the same webhook-id for the same alert state, whoever builds it', () => {
    const alert = sampleAlert();
    expect(buildWebhook(sub, alert, NOW).id).toBe(buildWebhook({ ...sub, id: 'sub_2' }, { ...alert }, NOW).id);
    expect(webhookId({ ...alert, sequence: 1 })).not.toBe(webhookId(alert));
  });

  it('hashes an alertId that is not safe in a signed header, deterministically', () => {
    const id = webhookId({ alertId: 'surge.tcp/445 é', sequence: 3 });
    expect(id).toMatch(/^msg_h[A-Za-z0-9_-]{43}_3$/);
    expect(webhookId({ alertId: 'surge.tcp/445 é', sequence: 3 })).toBe(id);
  });

  it('signs each attempt with its own timestamp in seconds', () => {
    const webhook = buildWebhook(sub, sampleAlert(), NOW);
    // The verifier checks the timestamp against the machine's clock, so the attempt is signed at that time.
    const now = systemClock();
    const headers = requestHeaders(webhook, now);
    expect(headers).toMatchObject({ 'content-type': 'application/cloudevents+json', 'webhook-id': webhook.id, 'webhook-timestamp': String(Math.floor(now / 1000)) });
    expect(new Verifier(sub.secret).verify(webhook.body, headers)).toEqual(JSON.parse(webhook.body));
    expect(requestHeaders(webhook, now + 5_000)['webhook-signature']).not.toBe(headers['webhook-signature']);
  });
});
