/**
 * The overview's content, from the store: active ports ranked, each with a
 * sparkline, and the alerts not yet resolved. Pure over the stores, so it is
 * tested without HTTP.
 */
import type { Alert } from '../common/avro/generated-types.ts';
import type { AlertStore } from './store/alerts.ts';
import { portOf } from './store/database.ts';
import type { PortStatsStore } from './store/port-stats.ts';

/** A port is active while its latest window is this recent. */
export const ACTIVE_MS = 60 * 60_000;
/** Windows in a sparkline: the last hour of one-minute windows. */
export const SPARK_WINDOWS = 60;

export interface PortSummary {
  readonly protocol: string;
  readonly port: number;
  readonly windowStart: number;
  readonly sources: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly surging: boolean;
  /** The worm-risk of the port's active alert, if any. */
  readonly risk: { readonly level: string; readonly score: number; readonly alertId: string } | null;
  /** Distinct sources of the last windows, oldest first. */
  readonly spark: readonly number[];
}

export interface Overview {
  readonly ports: readonly PortSummary[];
  readonly alerts: readonly Alert[];
}

export function overview(stores: { portStats: PortStatsStore; alerts: AlertStore }, nowMs: number, limit: number): Overview {
  const alerts = stores.alerts.recent({ active: true, limit: 200 });
  const riskOf = new Map<string, PortSummary['risk']>();
  for (const a of alerts) {
    const key = `${a.protocol}/${a.port}`;
    const seen = riskOf.get(key);
    if (seen == null || a.wormRisk.score > seen.score) riskOf.set(key, { level: a.wormRisk.level, score: a.wormRisk.score, alertId: a.alertId });
  }
  // Ranked by the store on surge ratio; the final order puts worm-risk first.
  const ports = stores.portStats.ranking(nowMs - ACTIVE_MS, Math.max(limit * 2, 100)).map((r): PortSummary => {
    const { protocol, port } = portOf(r.portId);
    const spark = stores.portStats.series(r.portId, r.windowStart - (SPARK_WINDOWS - 1) * 60_000, r.windowStart + 1).sources;
    return { protocol, port, windowStart: r.windowStart, sources: r.sources, baseline: r.baseline, ratio: r.ratio, surging: r.surging, risk: riskOf.get(`${protocol}/${port}`) ?? null, spark };
  });
  ports.sort((a, b) => (b.risk?.score ?? -1) - (a.risk?.score ?? -1) || b.ratio - a.ratio);
  return { ports: ports.slice(0, limit), alerts };
}
