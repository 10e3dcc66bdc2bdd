import type { Alert } from '../../common/avro/generated-types.ts';
import type { Body } from './rendered.ts';
import { headline } from './event-type.ts';

/**
 * A Slack incoming-webhook message: `text` is required and is what
 * notifications show; `blocks` carry the layout. Slack answers 200 "ok", and
 * verifies nothing, so the Standard Webhooks headers are merely ignored there.
 */
export function slackBody(alert: Alert): Body {
  const icon = alert.state === 'RESOLVED' ? ':white_check_mark:' : alert.severity === 'CRITICAL' || alert.severity === 'HIGH' ? ':rotating_light:' : ':warning:';
  const text = `${icon} Portent: ${headline(alert)}`;
  const lines = [...alert.reasons];
  if (alert.advisory !== null) lines.push(`Advisory ${alert.advisory.id}: ${alert.advisory.workaround}`);
  if (alert.topScanners.length > 0) lines.push(`Top scanners: ${alert.topScanners.slice(0, 5).map((s) => s.ip).join(', ')}`);
  const blocks = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.map((l) => `• ${escape(l)}`).join('\n') || '(no details)' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `alert ${escape(alert.alertId)} · sequence ${alert.sequence}` }] },
  ];
  return { contentType: 'application/json', text: JSON.stringify({ text, blocks }) };
}

/** Slack mrkdwn treats &, < and > as control characters. */
function escape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
