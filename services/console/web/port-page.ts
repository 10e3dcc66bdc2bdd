/**
 * Port page: distinct sources per minute with the baseline band and the
 * threshold, alerts as points; attempts, new sources, DSC sources and
 * scanners below; ranges 1 h, 24 h and 7 d; drag to zoom. New windows of
 * this port reload the chart (at most every 2 s).
 */
import { get } from './api.ts';
import { portCharts } from './charts.ts';
import type { PortCharts } from './charts.ts';
import { h, portLabel, show } from './dom.ts';
import { alertLink } from './alert-page.ts';
import type { Page } from './page.ts';
import type { PortChart } from './types.ts';

const RANGES = ['1h', '24h', '7d'] as const;

export function portPage(main: HTMLElement, protocol: string, port: number, range: string): Page {
  let charts: PortCharts | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const label = portLabel(protocol, port);
  const mainEl = h('div', { class: 'chart', id: 'port-chart', role: 'img', 'aria-label': `Distinct sources per minute on ${label}, with baseline, threshold and alerts` });
  const detailEl = h('div', { class: 'chart', id: 'detail-chart', role: 'img', 'aria-label': `Attempts, new sources, DSC sources and scanners on ${label}` });
  const alertsEl = h('ul', { class: 'plain', id: 'port-alerts' });
  const note = h('p', { class: 'muted' });
  const rangeButtons = RANGES.map((r) => h('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => { location.hash = `#/port/${protocol}/${port}?range=${r}`; } }, r));
  const reset = h('button', { type: 'button', onclick: () => charts?.resetZoom() }, 'Reset zoom');
  show(main,
    h('h1', {}, `Port ${label}`),
    h('div', { class: 'ranges', role: 'group', 'aria-label': 'Range' }, ...rangeButtons, reset),
    h('p', { class: 'muted' }, 'Drag across a chart to zoom; Reset zoom or double-click to go back.'),
    note, mainEl, detailEl,
    h('h2', {}, 'Alerts in this range'), alertsEl);
  const width = (): number => Math.max(280, main.clientWidth - 8);
  const load = async (): Promise<void> => {
    const chart = await get<PortChart>(`/v1/ports/${protocol}/${port}?range=${range}`);
    charts?.destroy();
    mainEl.replaceChildren();
    detailEl.replaceChildren();
    charts = portCharts(mainEl, detailEl, chart, width());
    mainEl.dataset['points'] = String(chart.series.windowStart.length);
    note.textContent = chart.bucketMs > 0 ? `One point per ${chart.bucketMs / 60_000} minutes: each the peak minute, the baseline its mean.` : 'One point per one-minute window.';
    mainEl.dataset['max'] = String(Math.max(0, ...chart.series.sources));
    const latest = new Map(chart.alerts.map((a) => [a.alertId, a]));
    alertsEl.replaceChildren(...[...latest.values()].map((a) => h('li', {}, alertLink(a.alertId, `${a.kind} ${a.state}`), ` severity ${a.severity}, threshold ${Math.round(a.threshold)}`)));
    if (latest.size === 0) alertsEl.append(h('li', { class: 'muted' }, 'None.'));
  };
  const onResize = (): void => charts?.resize(width());
  window.addEventListener('resize', onResize);
  void load();
  return {
    onLive: (e) => {
      const mine = e.type === 'stats' ? e.windows.some((w) => w.port === port && w.protocol.toLowerCase() === protocol) : e.alert.port === port;
      if (mine) timer ??= setTimeout(() => { timer = undefined; void load(); }, 2000);
    },
    destroy: () => {
      window.removeEventListener('resize', onResize);
      if (timer !== undefined) clearTimeout(timer);
      charts?.destroy();
    },
  };
}
