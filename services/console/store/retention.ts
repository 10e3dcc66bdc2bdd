/**
 * Retention: windows and alert states older than the configured age
 * (PORTENT_CONSOLE_RETENTION, 7 days by default) are deleted, so the store's
 * size follows the number of active ports, not the age of the deployment.
 */
import { rowsPruned } from '../telemetry.ts';
import type { AlertStore } from './alerts.ts';
import type { PortStatsStore } from './port-stats.ts';

export function pruneExpired(stores: { portStats: PortStatsStore; alerts: AlertStore }, nowMs: number, retentionMs: number): { windows: number; alertStates: number } {
  const before = nowMs - retentionMs;
  const windows = stores.portStats.prune(before);
  const alertStates = stores.alerts.prune(before);
  rowsPruned('port_stats', windows);
  rowsPruned('alert_states', alertStates);
  return { windows, alertStates };
}
