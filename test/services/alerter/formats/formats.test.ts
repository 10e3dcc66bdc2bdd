import { CloudEvent, HTTP } from 'cloudevents';
import type { Alert } from '../../../../services/common/avro/generated-types.ts';
import { describe, expect, it } from 'vitest';
import { renderBody } from '../../../../services/alerter/formats/body.ts';
import { sampleAlert, sampleSubscription } from '../fixtures.ts';

describe('body formats', () => {
  it('CloudEvents: the cloudevents SDK reads and validates the structured event', () => {
    const alert = sampleAlert();
    const body = renderBody(sampleSubscription(), alert, 'msg_a_0');
    const event = HTTP.toEvent<Alert>({ headers: { 'content-type': body.contentType }, body: body.text });
    const one = Array.isArray(event) ? event[0] : event;
    // The SDK's constructor validates strictly (spec version, required attributes, types) and throws otherwise.
    expect(new CloudEvent<Alert>({ ...one }).validate()).toBe(true);
    expect(one).toMatchObject({ specversion: '1.0', id: 'msg_a_0', type: 'portent.alert.surge.firing', source: '/portent/alerter', subject: 'tcp/445' });
    expect(one?.data).toEqual(alert);
  });

  it('PagerDuty: FIRING triggers and RESOLVED resolves, both deduplicated by the alert id', () => {
    const sub = sampleSubscription({ format: 'PAGERDUTY', routingKey: 'R0UT1NGKEY' });
    const trigger = JSON.parse(renderBody(sub, sampleAlert({ severity: 'CRITICAL' }), 'x').text) as Record<string, unknown>;
    const resolve = JSON.parse(renderBody(sub, sampleAlert({ state: 'RESOLVED', sequence: 3 }), 'x').text) as Record<string, unknown>;
    expect(trigger).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'trigger', dedup_key: 'surge-tcp-445-1795766400000', payload: { severity: 'critical', source: 'portent' } });
    expect(resolve).toEqual({ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'surge-tcp-445-1795766400000' });
  });

  it('Slack: a text line for notifications and blocks with the reasons and the workaround', () => {
    const alert = sampleAlert({ advisory: { id: 'MS05-027', title: 'SMB', severity: 'CRITICAL', published: 0, workaround: 'Block 139 & 445' } });
    const msg = JSON.parse(renderBody(sampleSubscription({ format: 'SLACK' }), alert, 'x').text) as { text: string; blocks: unknown[] };
    expect(msg.text).toContain('FIRING SURGE tcp/445');
    expect(JSON.stringify(msg.blocks)).toContain('Block 139 &amp; 445');
  });
});
