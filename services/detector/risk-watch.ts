import { createHash } from 'node:crypto';
import type { AlertState, Protocol, RiskLevel } from '../common/avro/generated-types.ts';
import type { RiskAssessment } from './worm-risk.ts';

/**
 * One port's worm-risk over time and its WORM_RISK notifications:
 * FIRING (raised) → UPDATED (level changed) → RESOLVED (cleared).
 *
 * Hysteresis: the level shown is the highest level of the last `riskHoldWindows`
 * closed windows, so a level is raised at once and lowered only after the lower
 * level has held for that many windows: a growing worm whose growth test drops
 * out for a window does not read ELEVATED between two CRITICALs.
 * A notification is raised at ELEVATED or above (`NOTIFY_LEVEL`) and cleared
 * when the held level falls under it; LOW is context only (an advised port
 * seen by every sensor is LOW all day).
 */
export interface RiskWatchOptions {
  readonly riskHoldWindows: number;
}

export const LEVELS: readonly RiskLevel[] = ['NONE', 'LOW', 'ELEVATED', 'HIGH', 'CRITICAL'];
export const NOTIFY_LEVEL: RiskLevel = 'ELEVATED';

/** An open WORM_RISK notification. */
export interface RiskEpisode {
  readonly alertId: string;
  readonly onsetWindowStart: number;
  sequence: number;
  /** The held level last sent. */
  level: RiskLevel;
}

export interface RiskWatchSnapshot {
  /** (window start, assessment) of the last `riskHoldWindows` closed windows, oldest first. */
  readonly recent: [number, RiskAssessment][];
  readonly episode: RiskEpisode | null;
}

/** What one closed window changed: the notification state to send, if any. */
export interface RiskStep {
  readonly state: AlertState | undefined;
  readonly episode: RiskEpisode | undefined;
}

/** Deterministic id of a port's WORM_RISK notification raised in the window starting at `onsetWindowStart`. */
export function wormRiskAlertId(protocol: Protocol, port: number, onsetWindowStart: number): string {
  const digest = createHash('sha256').update(`WORM_RISK|${protocol}|${port}|${onsetWindowStart}`).digest('hex');
  return `al_${digest.slice(0, 24)}`;
}

const rank = (l: RiskLevel): number => LEVELS.indexOf(l);
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

export class RiskWatch {
  readonly #opts: RiskWatchOptions;
  readonly #recent: [number, RiskAssessment][] = [];
  #episode: RiskEpisode | undefined;

  constructor(opts: RiskWatchOptions, s?: RiskWatchSnapshot) {
    this.#opts = opts;
    if (s !== undefined) {
      this.#recent.push(...s.recent.slice(-opts.riskHoldWindows));
      this.#episode = s.episode ?? undefined;
    }
  }

  snapshot(): RiskWatchSnapshot {
    return { recent: structuredClone(this.#recent), episode: this.#episode === undefined ? null : { ...this.#episode } };
  }

  /**
   * The held assessment: the newest of the last windows' assessments at the
   * highest level among them, with a reason saying so when it is held.
   */
  held(): RiskAssessment | undefined {
    let best: [number, RiskAssessment] | undefined;
    for (const r of this.#recent) if (best === undefined || rank(r[1].risk.level) >= rank(best[1].risk.level)) best = r;
    const latest = this.#recent[this.#recent.length - 1];
    if (best === undefined || latest === undefined || best === latest) return best?.[1];
    const [, h] = best;
    const now = latest[1].risk;
    const minutesNote = `lowered only after ${this.#opts.riskHoldWindows} windows under it`;
    const note = `held at ${h.risk.level} (${h.risk.score}/100) since the window from ${new Date(best[0]).toISOString()}: ${minutesNote}; the last window alone scores ${now.level} (${fmt(now.score)}/100)`;
    return { risk: h.risk, reasons: [h.reasons[0] ?? '', note, ...h.reasons.slice(1)] };
  }

  /** Records a closed window's assessment; returns the WORM_RISK state to send for it, if any. */
  observe(windowStart: number, a: RiskAssessment, protocol: Protocol, port: number): RiskStep {
    this.#recent.push([windowStart, a]);
    if (this.#recent.length > this.#opts.riskHoldWindows) this.#recent.shift();
    const level = this.held()?.risk.level ?? 'NONE';
    const ep = this.#episode;
    if (ep === undefined) {
      if (rank(level) < rank(NOTIFY_LEVEL)) return { state: undefined, episode: undefined };
      this.#episode = { alertId: wormRiskAlertId(protocol, port, windowStart), onsetWindowStart: windowStart, sequence: 0, level };
      return { state: 'FIRING', episode: this.#episode };
    }
    if (rank(level) < rank(NOTIFY_LEVEL)) {
      ep.sequence += 1;
      ep.level = level;
      this.#episode = undefined;
      return { state: 'RESOLVED', episode: ep };
    }
    if (level === ep.level) return { state: undefined, episode: ep };
    ep.sequence += 1;
    ep.level = level;
    return { state: 'UPDATED', episode: ep };
  }
}
