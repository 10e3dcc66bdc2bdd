import type { Alert } from '../../common/avro/generated-types.ts';
import { eventType } from './event-type.ts';
import type { Body } from './rendered.ts';

/*
 * CloudEvents 1.0, JSON event format, structured content mode
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md#32-structured-content-mode):
 *   "the HTTP message body MUST contain both event data and context attributes
 *    encoded according to the JSON event format";
 *   "The HTTP Content-Type header MUST be set to the media type of an event format"
 *   -> application/cloudevents+json.
 * Required attributes: specversion, id, source, type. `id` is the webhook-id,
 * so "source + id" is unique per (alert, state), exactly as the spec asks.
 */
export const CLOUDEVENTS_SOURCE = '/portent/alerter';

export function cloudEventBody(alert: Alert, webhookId: string): Body {
  const event = {
    specversion: '1.0',
    id: webhookId,
    source: CLOUDEVENTS_SOURCE,
    type: eventType(alert),
    subject: `${alert.protocol.toLowerCase()}/${alert.port}`,
    time: new Date(alert.eventTime).toISOString(),
    datacontenttype: 'application/json',
    data: alert,
  };
  return { contentType: 'application/cloudevents+json', text: JSON.stringify(event) };
}
