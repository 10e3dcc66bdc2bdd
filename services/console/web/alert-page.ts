/**
 * Alert page: the lifecycle timeline, the reasons, the worm-risk parts, the
 * advisory and its workaround, the top scanners, and the delivery attempts
 * per subscription (from the alerter, through /v1/alerter; an attempt's
 * webhook-id is msg_<alertId>_<sequence>, services/alerter/delivery/webhook.ts).
 */
import { get } from './api.ts';
import { badge, h, num, portHref, portLabel, show, time } from './dom.ts';
import type { Page } from './page.ts';
import { riskParts } from './risk-bar.ts';
import type { Alert } from './types.ts';

interface Attempt { webhookId: string; attempt: number; status: number | null; error: string | null; at: string; durationMs: number }
interface SubscriptionView { id: string; url: string }

export function alertLink(alertId: string, text: string): HTMLElement {
  return h('a', { href: `#/alert/${encodeURIComponent(alertId)}` }, text);
}

function timeline(states: readonly Alert[]): HTMLElement {
  return h('ol', { class: 'plain', id: 'timeline' }, ...states.map((s) => h('li', {},
    badge('state', s.state), ' ', time(s.windowStart), ' ', badge('sev', s.severity),
    h('span', { class: 'muted' }, ` ${num(s.figures.distinctSources)} sources, ${num(s.ratio, 1)}× baseline, shape ${s.shape}, worm-risk ${s.wormRisk.level} ${s.wormRisk.score}`))));
}

function scanners(a: Alert): HTMLElement {
  if (a.topScanners.length === 0) return h('p', { class: 'muted' }, 'None listed.');
  return h('div', { class: 'scroll' }, h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Source'), h('th', { scope: 'col', class: 'num' }, 'Attempts'), h('th', { scope: 'col', class: 'num' }, 'Destinations'))),
    h('tbody', {}, ...a.topScanners.map((s) => h('tr', {}, h('td', {}, s.ip), h('td', { class: 'num' }, num(s.attempts)), h('td', { class: 'num' }, num(s.destinations)))))));
}

async function deliveries(alertId: string, into: HTMLElement): Promise<void> {
  try {
    const subs = await get<{ items: SubscriptionView[] }>('/v1/alerter/subscriptions');
    const rows = await Promise.all(subs.items.map(async (s) => {
      const attempts = (await get<{ items: Attempt[] }>(`/v1/alerter/subscriptions/${encodeURIComponent(s.id)}/attempts?limit=500`)).items;
      return attempts.filter((a) => a.webhookId.startsWith(`msg_${alertId}_`)).map((a) => h('tr', {},
        h('td', {}, s.url), h('td', {}, a.webhookId), h('td', { class: 'num' }, a.attempt), h('td', {}, a.status === null ? (a.error ?? '–') : String(a.status)), h('td', {}, a.at)));
    }));
    const flat = rows.flat();
    into.replaceChildren(flat.length === 0 ? h('p', { class: 'muted' }, 'No delivery attempts recorded.') : h('div', { class: 'scroll' }, h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ...['Subscription', 'Webhook id', 'Attempt', 'Status', 'At'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...flat))));
  } catch (err) {
    into.replaceChildren(h('p', { class: 'error' }, `Delivery attempts unavailable: ${err instanceof Error ? err.message : String(err)}`));
  }
}

function render(main: HTMLElement, states: readonly Alert[]): void {
  const last = states.at(-1);
  if (last === undefined) return;
  const attemptsEl = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  show(main,
    h('h1', {}, `${last.kind} on `, h('a', { href: portHref(last.protocol, last.port) }, portLabel(last.protocol, last.port)), ' ', badge('state', last.state)),
    h('p', { class: 'muted' }, `Alert ${last.alertId}, onset ${time(last.onsetWindowStart)}`),
    h('h2', {}, 'Reasons'), h('ul', { id: 'reasons' }, ...last.reasons.map((r) => h('li', {}, r))),
    h('h2', {}, 'Worm-risk'), riskParts(last),
    h('h2', {}, 'Advisory'), last.advisory === null ? h('p', { class: 'muted' }, 'No advisory for this port.')
      : h('div', {}, h('p', {}, `${last.advisory.id}: ${last.advisory.title} (${last.advisory.severity}, ${time(last.advisory.published)})`), h('p', {}, h('strong', {}, 'Workaround: '), last.advisory.workaround)),
    h('h2', {}, 'Lifecycle'), timeline(states),
    h('h2', {}, 'Top scanners'), scanners(last),
    h('h2', {}, 'Delivery attempts'), attemptsEl);
  void deliveries(last.alertId, attemptsEl);
}

export function alertPage(main: HTMLElement, alertId: string): Page {
  const load = async (): Promise<void> => {
    render(main, (await get<{ states: Alert[] }>(`/v1/alerts/${encodeURIComponent(alertId)}`)).states);
  };
  void load();
  return { onLive: (e) => { if (e.type === 'alert' && e.alert.alertId === alertId) void load(); } };
}
