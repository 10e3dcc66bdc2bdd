/**
 * Overview: active ports ranked by worm-risk and surge ratio, each with a
 * sparkline, and the alerts not yet resolved. Live events refetch the
 * overview (at most every 2 s): one small request instead of patching rows.
 */
import { get } from './api.ts';
import { sparkline } from './charts.ts';
import { badge, h, num, portHref, portLabel, show, time } from './dom.ts';
import type { Page } from './page.ts';
import type { Alert, Overview, PortSummary } from './types.ts';

function portRow(p: PortSummary): HTMLElement {
  return h('tr', { 'data-port': portLabel(p.protocol, p.port) },
    h('th', { scope: 'row' }, h('a', { href: portHref(p.protocol, p.port) }, portLabel(p.protocol, p.port))),
    h('td', { class: 'num' }, num(p.sources)),
    h('td', { class: 'num' }, num(p.baseline, 1)),
    h('td', { class: 'num' }, `${num(p.ratio, 1)}×`),
    h('td', {}, p.risk === null ? h('span', { class: 'muted' }, '–') : h('a', { href: `#/alert/${encodeURIComponent(p.risk.alertId)}` }, badge('risk', p.risk.level), ` ${p.risk.score}`)),
    h('td', {}, sparkline(p.spark, portLabel(p.protocol, p.port))),
  );
}

export function alertItem(a: Alert): HTMLElement {
  return h('li', { 'data-alert': a.alertId },
    h('a', { href: `#/alert/${encodeURIComponent(a.alertId)}` }, `${a.kind} ${portLabel(a.protocol, a.port)}`), ' ',
    badge('state', a.state), ' ', badge('sev', a.severity), ' ',
    h('span', { class: 'muted' }, `${num(a.figures.distinctSources)} sources, ${num(a.ratio, 1)}× baseline, worm-risk ${a.wormRisk.level} ${a.wormRisk.score}, ${time(a.windowStart)}`),
  );
}

function render(main: HTMLElement, o: Overview): void {
  const table = h('table', { class: 'data', 'aria-describedby': 'ports-caption' },
    h('caption', { id: 'ports-caption', class: 'muted' }, 'Ports heard from in the last hour, worm-risk first, then by surge ratio'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Port'), h('th', { scope: 'col', class: 'num' }, 'Distinct sources'), h('th', { scope: 'col', class: 'num' }, 'Baseline'),
      h('th', { scope: 'col', class: 'num' }, 'Surge ratio'), h('th', { scope: 'col' }, 'Worm-risk'), h('th', { scope: 'col' }, 'Last hour'))),
    h('tbody', {}, ...o.ports.map(portRow)));
  show(main,
    h('h1', {}, 'Overview'),
    h('div', { class: 'grid' },
      h('section', { 'aria-labelledby': 'ports-h' }, h('h2', { id: 'ports-h' }, 'Ports'), o.ports.length === 0 ? h('p', { class: 'muted' }, 'No port statistics yet.') : h('div', { class: 'scroll' }, table)),
      h('section', { 'aria-labelledby': 'alerts-h' }, h('h2', { id: 'alerts-h' }, 'Active surges and worm-risk'),
        o.alerts.length === 0 ? h('p', { class: 'muted' }, 'No active alerts.') : h('ul', { class: 'plain', id: 'active-alerts' }, ...o.alerts.map(alertItem)))));
}

export function overviewPage(main: HTMLElement): Page {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gone = false;
  const load = async (): Promise<void> => {
    const o = await get<Overview>('/v1/overview');
    if (!gone) render(main, o);
  };
  void load();
  return {
    onLive: () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void load();
      }, 2000);
    },
    destroy: () => {
      gone = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
