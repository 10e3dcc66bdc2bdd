import { describe, expect, it } from 'vitest';
import { isMaterialChange, severityOf, surgeAlertId } from '../../../services/detector/surge.ts';
import type { SentState } from '../../../services/detector/surge.ts';

const MIN = 60_000;
const opts = { resolveAfterWindows: 2, updateMinWindows: 3, topSources: 5 };
const last: SentState = { severity: 'MEDIUM', level: 'LOW', shape: 'UNKNOWN', sources: 300, windowStart: 0 };

describe('isMaterialChange (UPDATED alerts)', () => {
  it('sends a rise in severity or worm-risk at once', () => {
    expect(isMaterialChange(last, { ...last, severity: 'HIGH', windowStart: MIN }, MIN, opts)).toBe(true);
    expect(isMaterialChange(last, { ...last, level: 'HIGH', windowStart: MIN }, MIN, opts)).toBe(true);
  });

  it('holds other changes back for the rate limit, then sends them', () => {
    const moved = { ...last, sources: 600, shape: 'SUSTAINED' as const };
    expect(isMaterialChange(last, { ...moved, windowStart: 2 * MIN }, MIN, opts)).toBe(false);
    expect(isMaterialChange(last, { ...moved, windowStart: 3 * MIN }, MIN, opts)).toBe(true);
  });

  it('does not send figures that barely moved', () => {
    expect(isMaterialChange(last, { ...last, sources: 340, windowStart: 10 * MIN }, MIN, opts)).toBe(false);
  });
});

describe('severityOf', () => {
  it('takes the larger of the surge size and the worm-risk', () => {
    expect(severityOf(4, 'NONE')).toBe('LOW');
    expect(severityOf(12, 'LOW')).toBe('HIGH');
    expect(severityOf(4, 'CRITICAL')).toBe('CRITICAL');
  });
});

describe('surgeAlertId', () => {
  it('is the same for the same surge and differs for another onset or port', () => {
    expect(surgeAlertId('TCP', 445, 0)).toBe(surgeAlertId('TCP', 445, 0));
    expect(surgeAlertId('TCP', 445, 0)).not.toBe(surgeAlertId('TCP', 445, MIN));
    expect(surgeAlertId('TCP', 445, 0)).not.toBe(surgeAlertId('UDP', 445, 0));
  });
});
