/**
 * Judges one row's alerts against issue 14's targets, in event time. Alerts
 * are read generically (kind, state, the worm-risk level every alert
 * carries), so surge alerts and worm-risk alerts of any lifecycle count alike.
 *
 * - Detection delay: onset to the first SURGE alert's decision (its eventTime).
 * - Infected fraction at the first alert whose worm-risk is ELEVATED or more,
 *   and HIGH or more (worms): I(t)/N at that alert's eventTime.
 * - False notifications: alerts on a port with nothing planted; on the
 *   target port, a sweep's alerts with worm-risk above ELEVATED; in quiet
 *   rows, every surge alert and every alert with worm-risk above LOW.
 *
 * Targets: worms HIGH before `highBefore` (0.2 % for Code Red v2 on a /12,
 * the DSC anchor of Gu et al. 2004; 0.5 % otherwise); sweeps a surge within 2
 * windows of the onset and worm-risk never above ELEVATED; quiet rows no
 * false notification.
 */
import type { Alert, RiskLevel } from '../../services/common/avro/generated-types.ts';
import { infectedAt } from '../../services/sensor/scenarios/si-worm.ts';
import type { MatrixRow } from './matrix.ts';

const RANK: readonly RiskLevel[] = ['NONE', 'LOW', 'ELEVATED', 'HIGH', 'CRITICAL'];
const rank = (a: Alert): number => RANK.indexOf(a.wormRisk.level);
const MINUTE = 60_000;

export interface RowFigures {
  /** Minutes from onset to the first surge alert; null: none. */
  readonly surgeDelayMinutes: number | null;
  /** Whether that surge's window started within 2 windows of the onset. */
  readonly surgeInTime: boolean;
  readonly infectedAtElevated: number | null;
  readonly infectedAtHigh: number | null;
  readonly maxRisk: RiskLevel;
  readonly falseAlerts: number;
  readonly falsePerDay: number;
  readonly pass: boolean;
}

function isFalse(row: MatrixRow, a: Alert): boolean {
  const onTarget = row.target !== undefined && a.protocol === row.target.protocol && a.port === row.target.port;
  if (row.family === 'quiet') return a.kind === 'SURGE' || rank(a) > RANK.indexOf('LOW');
  if (!onTarget) return true;
  return row.family === 'sweep' && rank(a) > RANK.indexOf('ELEVATED');
}

/** `alerts` in any order (read back from a partitioned topic, they are in order per alert id only). */
export function measure(row: MatrixRow, unordered: readonly Alert[], startMs: number, windowMs: number): RowFigures {
  const alerts = [...unordered].sort((a, b) => a.eventTime - b.eventTime || a.windowStart - b.windowStart || a.sequence - b.sequence);
  const onTarget = alerts.filter((a) => row.target !== undefined && a.protocol === row.target.protocol && a.port === row.target.port);
  const onset = startMs + (row.onsetMinute ?? 0) * MINUTE;
  const surge = onTarget.find((a) => a.kind === 'SURGE');
  const worm = row.world.worm;
  const fractionAt = (a: Alert | undefined): number | null => (a === undefined || worm === undefined ? null : infectedAt(worm, a.eventTime - startMs) / worm.vulnerable);
  const infectedAtElevated = fractionAt(onTarget.find((a) => rank(a) >= RANK.indexOf('ELEVATED')));
  const infectedAtHigh = fractionAt(onTarget.find((a) => rank(a) >= RANK.indexOf('HIGH')));
  const maxRank = Math.max(0, ...(row.target === undefined ? alerts : onTarget).map(rank));
  const falseAlerts = alerts.filter((a) => isFalse(row, a)).length;
  const surgeInTime = surge !== undefined && surge.windowStart < onset + 2 * windowMs;
  let pass: boolean;
  if (row.family === 'worm') pass = infectedAtHigh !== null && infectedAtHigh < (row.highBefore ?? 0.005);
  else if (row.family === 'sweep') pass = surgeInTime && maxRank <= RANK.indexOf('ELEVATED');
  else pass = falseAlerts === 0;
  return {
    surgeDelayMinutes: surge === undefined ? null : (surge.eventTime - onset) / MINUTE,
    surgeInTime,
    infectedAtElevated,
    infectedAtHigh,
    maxRisk: RANK[maxRank] ?? 'NONE',
    falseAlerts,
    falsePerDay: falseAlerts / (row.world.minutes / 1440),
    pass,
  };
}
