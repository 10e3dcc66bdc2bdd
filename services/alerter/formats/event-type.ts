import type { Alert } from '../../common/avro/generated-types.ts';

/** `portent.alert.<kind>.<state>`, lowercase: SURGE/FIRING -> portent.alert.surge.firing. */
export function eventType(alert: Pick<Alert, 'kind' | 'state'>): string {
  return `portent.alert.${alert.kind.toLowerCase()}.${alert.state.toLowerCase()}`;
}

/** One line a human reads first: "FIRING SURGE tcp/445 (HIGH, worm risk LOW)". */
export function headline(alert: Alert): string {
  return `${alert.state} ${alert.kind} ${alert.protocol.toLowerCase()}/${alert.port} (${alert.severity}, worm risk ${alert.wormRisk.level})`;
}
