/**
 * The worm-risk parts of an alert as one stacked uPlot bar per factor the
 * detector weighs (services/detector/worm-risk.ts): growth, destination-
 * source correlation, breadth across sensors, and a stage-4 advisory; with
 * the figures spelled out beside it for screen readers and small screens.
 */
import uPlot from 'uplot';
import { h, num } from './dom.ts';
import type { Alert } from './types.ts';

export function riskParts(a: Alert): HTMLElement {
  const w = a.wormRisk;
  const breadth = w.sensorsKnown === 0 ? 0 : w.sensorsReporting / w.sensorsKnown;
  const parts = [
    { label: 'Growth per minute', value: w.growthPerMinute, text: w.doublingMinutes === null ? num(w.growthPerMinute, 3) : `${num(w.growthPerMinute, 3)} (doubling every ${num(w.doublingMinutes, 1)} min)` },
    { label: 'DSC sources', value: w.dscSources, text: num(w.dscSources) },
    { label: 'Breadth (sensors reporting / known)', value: breadth, text: `${w.sensorsReporting} / ${w.sensorsKnown}` },
    { label: 'Advisory at stage 4', value: w.advisoryStage4 ? 1 : 0, text: w.advisoryStage4 ? 'yes' : 'no' },
  ];
  const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': `Worm-risk ${w.level}, score ${w.score} of 100` });
  const xs = [0];
  const bars = uPlot.paths.bars?.({ size: [0.6, 80] });
  // One bar: the score, on a 0-100 scale.
  new uPlot({
    width: 320, height: 90, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, 0.5] }, y: { range: [0, 100] } },
    axes: [{ show: false }, { size: 40 }],
    series: [{}, { label: 'Score', fill: '#b3261e', stroke: '#b3261e', ...(bars === undefined ? {} : { paths: bars }) }],
  }, [xs, [w.score]], chartEl);
  return h('div', { id: 'risk' },
    h('p', {}, `Level ${w.level}, score ${w.score} of 100`),
    chartEl,
    h('dl', {}, ...parts.flatMap((p) => [h('dt', {}, p.label), h('dd', {}, p.text)])));
}
