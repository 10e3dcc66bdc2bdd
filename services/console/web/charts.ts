/**
 * Every chart of the console, drawn by uPlot (a small, fast canvas
 * time-series library): overview sparklines, and the port page's two charts
 * with a shared cursor, drag-to-zoom and the alerts as points on the
 * sources line.
 */
import uPlot from 'uplot';
import type { PortChart } from './types.ts';

const COLOURS = { sources: '#0b57d0', baseline: '#4f5b66', threshold: '#b3261e', alerts: '#b3261e', attempts: '#6f42c1', newSources: '#1e6b34', dsc: '#8a5300', scanners: '#0e7490' };

export function sparkline(values: readonly number[], label: string): HTMLElement {
  const el = document.createElement('div');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', `${label}: distinct sources of the last ${values.length} minutes, now ${values.at(-1) ?? 0}`);
  const xs = values.map((_, i) => i);
  new uPlot({
    width: 120, height: 32, legend: { show: false }, cursor: { show: false }, select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    scales: { x: { time: false } }, axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: COLOURS.sources, width: 1.5, fill: 'rgba(11,87,208,0.12)' }],
  }, [xs, [...values]], el);
  return el;
}

/** The threshold of the alert state nearest in time to each window (the detector publishes it with alerts only). */
function thresholds(chart: PortChart): (number | null)[] {
  if (chart.alerts.length === 0) return chart.series.windowStart.map(() => null);
  return chart.series.windowStart.map((t) => {
    let best = chart.alerts[0];
    for (const a of chart.alerts) if (best === undefined || Math.abs(a.windowStart - t) < Math.abs(best.windowStart - t)) best = a;
    return best?.threshold ?? null;
  });
}

function alertPoints(chart: PortChart): (number | null)[] {
  const at = new Set(chart.alerts.map((a) => (chart.bucketMs > 0 ? Math.floor(a.windowStart / chart.bucketMs) * chart.bucketMs : a.windowStart)));
  return chart.series.windowStart.map((t, i) => (at.has(t) ? (chart.series.sources[i] ?? null) : null));
}

export interface PortCharts {
  readonly main: uPlot;
  readonly detail: uPlot;
  resize(width: number): void;
  resetZoom(): void;
  destroy(): void;
}

export function portCharts(mainEl: HTMLElement, detailEl: HTMLElement, chart: PortChart, width: number): PortCharts {
  const s = chart.series;
  const xs = s.windowStart.map((t) => t / 1000);
  const sync = uPlot.sync(`port-${chart.protocol}-${chart.port}`);
  const cursor = { sync: { key: sync.key }, drag: { x: true, y: false } };
  const xScale = { x: { time: true, min: chart.from / 1000, max: chart.to / 1000 } };
  const main = new uPlot({
    width, height: 300, cursor, scales: xScale,
    series: [
      {},
      { label: 'Distinct sources', stroke: COLOURS.sources, width: 2 },
      { label: 'Baseline', stroke: COLOURS.baseline, width: 1, dash: [4, 4] },
      { label: 'Threshold', stroke: COLOURS.threshold, width: 1, dash: [2, 3], spanGaps: false },
      { label: 'Alert', stroke: COLOURS.alerts, paths: () => null, points: { show: true, size: 10, stroke: COLOURS.alerts, fill: '#fff', width: 2 } },
    ],
    // The baseline band: between the baseline and the surge threshold.
    bands: [{ series: [3, 2], fill: 'rgba(179,38,30,0.08)' }],
  }, [xs, [...s.sources], [...s.baseline], thresholds(chart), alertPoints(chart)], mainEl);
  const detail = new uPlot({
    width, height: 200, cursor, scales: xScale,
    series: [
      {},
      { label: 'Attempts', stroke: COLOURS.attempts, width: 1, scale: 'attempts' },
      { label: 'New sources', stroke: COLOURS.newSources, width: 1.5 },
      { label: 'DSC sources', stroke: COLOURS.dsc, width: 1.5 },
      { label: 'Scanners', stroke: COLOURS.scanners, width: 1.5 },
    ],
    // Side 1 = right. uPlot declares Side as an ambient const enum, which isolated modules cannot name.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    axes: [{}, { label: 'sources' }, { side: 1, scale: 'attempts', label: 'attempts', grid: { show: false } }],
  }, [xs, [...s.attempts], [...s.newSources], [...s.dscSources], [...s.scanners]], detailEl);
  // Zooming one chart zooms the other.
  const follow = (from: uPlot, to: uPlot): void => {
    from.hooks.setScale = [(u, key) => {
      if (key === 'x' && (to.scales.x?.min !== u.scales.x?.min || to.scales.x?.max !== u.scales.x?.max)) to.setScale('x', { min: u.scales.x?.min ?? 0, max: u.scales.x?.max ?? 0 });
    }];
  };
  main.hooks.setScale = [];
  follow(main, detail);
  follow(detail, main);
  return {
    main, detail,
    resize: (w) => {
      main.setSize({ width: w, height: 300 });
      detail.setSize({ width: w, height: 200 });
    },
    resetZoom: () => {
      main.setScale('x', { min: chart.from / 1000, max: chart.to / 1000 });
    },
    destroy: () => {
      main.destroy();
      detail.destroy();
    },
  };
}
