import { describe, expect, it } from 'vitest';
import type { Alert, ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { Detector } from '../../../services/detector/detector.ts';
import { testOptions } from './fixtures.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-27T08:00:00Z');
/** Sources per minute on tcp/445: background, a surge, background, a second surge, background. */
const PLAN = [...Array<number>(12).fill(24), 200, 220, 180, ...Array<number>(12).fill(24), 160, 150, ...Array<number>(14).fill(24)];

function events(minute: number, from: number, to: number): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let s = from; s < to; s++) {
    out.push({ eventTime: T0 + minute * MIN + 500 + s * 100, protocol: 'TCP', srcIp: `10.${minute & 255}.${s >> 8}.${s & 255}`, srcPort: 40000, dstIp: `198.18.0.${s % 250}`, dstPort: 445, outcome: 'REJECTED' });
  }
  return out;
}

interface Decided {
  readonly alert: Alert;
  /** Newest event time fed to the detector when the alert came out. */
  readonly newest: number;
}

/**
 * Two sensors share each minute's sources; the second delivers every minute
 * `lag` windows late (within the allowed lateness), so with a lateness of
 * several windows a surge fires in an open window while earlier ones are open too.
 */
function play(latenessWindows: number): Decided[] {
  const d = new Detector({ ...testOptions, allowedLatenessMs: latenessWindows * MIN });
  const out: Decided[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  const feed = (sensorId: string, batch: ConnectionEvent[]): void => {
    for (const e of batch) newest = Math.max(newest, e.eventTime);
    for (const alert of d.ingest(0, { sensorId, events: batch }).alerts) out.push({ alert, newest });
  };
  for (let m = 0; m < PLAN.length + latenessWindows + 3; m++) {
    const n = PLAN[m] ?? 0;
    feed('prompt', events(m, 0, Math.ceil(n / 2)));
    const late = m - latenessWindows;
    if (late >= 0) feed('lagging', events(late, Math.ceil((PLAN[late] ?? 0) / 2), PLAN[late] ?? 0));
  }
  return out;
}

describe('alert lifecycle under allowed lateness', () => {
  for (const lateness of [0, 1, 3, 10]) {
    it(`keeps ids, sequences and event times consistent with a lateness of ${lateness} window(s)`, () => {
      const decided = play(lateness);
      const surges = decided.filter((x) => x.alert.kind === 'SURGE');
      // Both surges fire and resolve, each once (with updates between).
      expect(surges.map((x) => x.alert.state).filter((s) => s !== 'UPDATED')).toEqual(['FIRING', 'RESOLVED', 'FIRING', 'RESOLVED']);
      // A webhook-id (alert id + sequence) is never sent twice.
      const ids = decided.map((x) => `${x.alert.alertId}_${x.alert.sequence}`);
      expect(new Set(ids).size).toBe(ids.length);
      const byId = Map.groupBy(decided, (x) => x.alert.alertId);
      for (const states of byId.values()) {
        expect(states.map((x) => x.alert.sequence)).toEqual(states.map((_, i) => i));
        // Sequence numbers follow event time, and no state speaks of a window before its onset.
        for (let i = 1; i < states.length; i++) expect(states[i]?.alert.eventTime).toBeGreaterThanOrEqual(states[i - 1]?.alert.eventTime ?? 0);
        for (const x of states) expect(x.alert.windowStart).toBeGreaterThanOrEqual(x.alert.onsetWindowStart);
      }
      // eventTime means the same in every state: the newest event seen when it was decided.
      for (const x of decided) expect(x.alert.eventTime).toBe(x.newest);
      // Onsets are the surge windows, whatever the lateness.
      expect(surges.filter((x) => x.alert.state === 'FIRING').map((x) => x.alert.onsetWindowStart)).toEqual([T0 + 12 * MIN, T0 + 27 * MIN]);
    });
  }
});
