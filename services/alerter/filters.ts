import type { Alert, Silence, Subscription } from '../common/avro/generated-types.ts';

/** Ordered lowest first, as in schemas/alert.avsc, so "at least" is an index comparison. */
export const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export const RISK_LEVELS = ['NONE', 'LOW', 'ELEVATED', 'HIGH', 'CRITICAL'] as const;
export const PROTOCOLS = ['TCP', 'UDP', 'ICMP'] as const;
export const KINDS = ['SURGE', 'WORM_RISK'] as const;
export const STATES = ['FIRING', 'UPDATED', 'RESOLVED'] as const;

export type SubscriptionFilter = Pick<Subscription, 'ports' | 'portRanges' | 'protocols' | 'kinds' | 'states' | 'minSeverity' | 'minRisk'>;

/**
 * Does `sub` want `alert`? Every filter left empty (or null) admits all.
 * Ports and ranges together form one set: an alert on any listed port or in
 * any range passes.
 *
 * A RESOLVED (or UPDATED) state is judged by the same severity/risk floor as
 * its FIRING was not: the detector may lower severity as a surge fades, and a
 * subscriber that was told FIRING must also hear RESOLVED, so the floors apply
 * to FIRING only (Alertmanager's send_resolved behaviour).
 */
export function wants(sub: SubscriptionFilter, alert: Alert): boolean {
  if (!portWanted(sub, alert.port)) return false;
  if (sub.protocols.length > 0 && !sub.protocols.includes(alert.protocol)) return false;
  if (sub.kinds.length > 0 && !sub.kinds.includes(alert.kind)) return false;
  if (sub.states.length > 0 && !sub.states.includes(alert.state)) return false;
  if (alert.state !== 'FIRING') return true;
  if (sub.minSeverity !== null && rank(SEVERITIES, alert.severity) < rank(SEVERITIES, sub.minSeverity)) return false;
  if (sub.minRisk !== null && rank(RISK_LEVELS, alert.wormRisk.level) < rank(RISK_LEVELS, sub.minRisk)) return false;
  return true;
}

function portWanted(sub: SubscriptionFilter, port: number): boolean {
  if (sub.ports.length === 0 && sub.portRanges.length === 0) return true;
  return sub.ports.includes(port) || sub.portRanges.some((r) => port >= r.from && port <= r.to);
}

function rank(order: readonly string[], value: string): number {
  return order.indexOf(value);
}

/** Is `alert` muted by a silence active at `nowMs`? Only FIRING is muted: a silence must not hide a RESOLVED for a FIRING already sent. */
export function silenced(silences: Iterable<Silence>, alert: Alert, nowMs: number): Silence | undefined {
  if (alert.state !== 'FIRING') return undefined;
  for (const s of silences) {
    if (nowMs < s.startsAt || nowMs >= s.endsAt) continue;
    if (s.ports.length > 0 && !s.ports.includes(alert.port)) continue;
    if (s.kinds.length > 0 && !s.kinds.includes(alert.kind)) continue;
    return s;
  }
  return undefined;
}
