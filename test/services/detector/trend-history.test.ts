/** The port's DSC coincidence rate, the reference the worm-risk's DSC test compares with. */
import { describe, expect, it } from 'vitest';
import { DSC_RECENT, TrendHistory } from '../../../services/detector/trend-history.ts';

describe('TrendHistory.dscShare', () => {
  it('gives no reference before enough windows', () => {
    const h = new TrendHistory();
    for (let t = 0; t < 2 * DSC_RECENT - 1; t++) h.push(100, 10, 2);
    expect(h.dscShare()).toBeUndefined();
    h.push(100, 10, 2);
    expect(h.dscShare()).toBeCloseTo(0.02, 6);
  });

  it('leaves the newest windows out, so a worm surging in them does not raise its own reference', () => {
    const h = new TrendHistory();
    for (let t = 0; t < 40; t++) h.push(100, 10, 1);
    for (let t = 0; t < DSC_RECENT; t++) h.push(1000, 500, 300);
    expect(h.dscShare()).toBeCloseTo(0.01, 6);
  });

  it('keeps the DSC series through a checkpoint, and starts it afresh from one written without it', () => {
    const h = new TrendHistory();
    for (let t = 0; t < 40; t++) h.push(50, 5, 5);
    expect(TrendHistory.restore(h.snapshot()).dscShare()).toBeCloseTo(0.1, 6);
    const s = h.snapshot();
    const r = TrendHistory.restore({ fine: s.fine, coarse: s.coarse, partial: s.partial, partialWindows: s.partialWindows });
    expect(r.dscShare()).toBeUndefined();
    for (let t = 0; t < 2 * DSC_RECENT; t++) r.push(50, 5, 1);
    expect(r.dscShare()).toBeCloseTo(0.02, 6);
  });
});
