import type { Alert, Subscription } from '../../common/avro/generated-types.ts';
import { cloudEventBody } from './cloudevents.ts';
import { pagerDutyBody } from './pagerduty.ts';
import type { Body } from './rendered.ts';
import { slackBody } from './slack.ts';

export const FORMATS = ['CLOUDEVENTS', 'SLACK', 'PAGERDUTY'] as const;
export type BodyFormat = (typeof FORMATS)[number];


/** The body of `alert` in the subscription's format; CloudEvents for anything unknown (the schema's default). */
export function renderBody(sub: Pick<Subscription, 'format' | 'routingKey'>, alert: Alert, webhookId: string): Body {
  if (sub.format === 'SLACK') return slackBody(alert);
  if (sub.format === 'PAGERDUTY') return pagerDutyBody(alert, sub.routingKey ?? '');
  return cloudEventBody(alert, webhookId);
}
