import type { Subscription } from '../common/avro/generated-types.ts';
import { subscriptionInvalid } from './errors.ts';

export const MAX_URL_LENGTH = 2048;
export const MAX_PORTS = 1000;

/** What a caller may set on a subscription; absent fields keep their value (update) or default (create). */
export interface SubscriptionSettings {
  readonly url?: string | undefined;
  readonly ports?: readonly number[] | undefined;
  readonly portRanges?: readonly { from: number; to: number }[] | undefined;
  readonly protocols?: readonly string[] | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly states?: readonly string[] | undefined;
  readonly minSeverity?: string | null | undefined;
  readonly minRisk?: string | null | undefined;
  readonly format?: string | undefined;
  readonly routingKey?: string | null | undefined;
}

/**
 * Applies the settings a caller gave, checking what the HTTP schema cannot
 * (URL shape, ranges in order, PagerDuty's routing key). Throws
 * ALERTER_ERR_SUBSCRIPTION_INVALID naming the field.
 */
export function applySettings(sub: Subscription, s: SubscriptionSettings): Subscription {
  const next: Subscription = {
    ...sub,
    ...(s.url === undefined ? {} : { url: validUrl(s.url) }),
    ...(s.ports === undefined ? {} : { ports: validPorts(s.ports) }),
    ...(s.portRanges === undefined ? {} : { portRanges: validRanges(s.portRanges) }),
    ...(s.protocols === undefined ? {} : { protocols: [...s.protocols] }),
    ...(s.kinds === undefined ? {} : { kinds: [...s.kinds] }),
    ...(s.states === undefined ? {} : { states: [...s.states] }),
    ...(s.minSeverity === undefined ? {} : { minSeverity: s.minSeverity }),
    ...(s.minRisk === undefined ? {} : { minRisk: s.minRisk }),
    ...(s.format === undefined ? {} : { format: s.format }),
    ...(s.routingKey === undefined ? {} : { routingKey: s.routingKey }),
  };
  if (next.format === 'PAGERDUTY' && (next.routingKey ?? '') === '') throw subscriptionInvalid('routingKey', 'is required for the PAGERDUTY format');
  return next;
}

function validRanges(ranges: readonly { from: number; to: number }[]): { from: number; to: number }[] {
  if (ranges.some((r) => r.from > r.to)) throw subscriptionInvalid('portRanges', 'must have from <= to');
  return ranges.map((r) => ({ from: r.from, to: r.to }));
}

/** Writes subscriptions to the compacted topic, keyed by id; null becomes a tombstone. */

function validUrl(text: string): string {
  if (text.length > MAX_URL_LENGTH) throw subscriptionInvalid('url', `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw subscriptionInvalid('url', 'must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw subscriptionInvalid('url', 'must use http or https');
  // fetch refuses URLs with credentials; failing here beats failing every delivery.
  if (url.username !== '' || url.password !== '') throw subscriptionInvalid('url', 'must not contain credentials');
  return text;
}

function validPorts(ports: readonly number[]): number[] {
  if (ports.length > MAX_PORTS) throw subscriptionInvalid('ports', `must have at most ${MAX_PORTS} items`);
  if (!ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) throw subscriptionInvalid('ports', 'must be integers 1..65535');
  if (new Set(ports).size !== ports.length) throw subscriptionInvalid('ports', 'must not contain duplicates');
  return [...ports];
}
