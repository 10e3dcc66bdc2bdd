/**
 * Admin: subscriptions, advisories and silences, through the alerter's API
 * (/v1/alerter/...) with the signed-in token; the alerter decides what the
 * token's scope may change. A new subscription's secret is shown once.
 */
import { ApiError, request } from './api.ts';
import { h, show } from './dom.ts';
import type { Page } from './page.ts';

interface Sub { id: string; url: string; paused: boolean; format: string }
interface Advisory { id: string; title: string; severity: string; ports: { protocol: string; port: number }[]; workaround: string }
interface Silence { id: string; ports: number[]; kinds: string[]; endsAt: string; reason: string }

const api = (method: string, path: string, body?: unknown): Promise<unknown> => request(method, `/v1/alerter${path}`, body);

function field(label: string, name: string, attrs: Record<string, string | boolean> = {}): HTMLElement {
  return h('label', {}, label, h('input', { name, ...attrs }));
}

function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, typeof v === 'string' ? v : v.name]));
}

function ports(text: string): number[] {
  return text.split(',').map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p > 0);
}

export function adminPage(main: HTMLElement): Page {
  const status = h('p', { role: 'status', id: 'admin-status' });
  const subsEl = h('ul', { class: 'plain', id: 'subscriptions' });
  const advEl = h('ul', { class: 'plain', id: 'advisories' });
  const silEl = h('ul', { class: 'plain', id: 'silences' });
  const run = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      const out = await fn();
      const secret = (out as { secret?: string } | null)?.secret;
      status.replaceChildren(`${what}: done.`, ...(secret === undefined ? [] : [' Signing secret (shown once): ', h('span', { class: 'secret', id: 'new-secret' }, secret)]));
      await load();
    } catch (err) {
      status.replaceChildren(h('span', { class: 'error' }, `${what} failed: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`));
    }
  };
  const act = (what: string, fn: () => Promise<unknown>) => (): void => {
    void run(what, fn);
  };
  const submit = (what: string, body: (v: Record<string, string>) => [string, unknown]) => (e: Event): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const [path, payload] = body(formValues(form));
    void run(what, () => api('POST', path, payload)).then(() => {
      form.reset();
    });
  };
  const load = async (): Promise<void> => {
    const [subs, advs, sils] = await Promise.all([
      api('GET', '/subscriptions') as Promise<{ items: Sub[] }>, api('GET', '/advisories') as Promise<{ items: Advisory[] }>, api('GET', '/silences') as Promise<{ items: Silence[] }>,
    ]);
    subsEl.replaceChildren(...subs.items.map((s) => h('li', { 'data-subscription': s.id }, `${s.url} (${s.format}${s.paused ? ', paused' : ''}) `,
      h('button', { type: 'button', onclick: act(s.paused ? 'Resume' : 'Pause', () => api('POST', `/subscriptions/${s.id}/${s.paused ? 'resume' : 'pause'}`)) }, s.paused ? 'Resume' : 'Pause'), ' ',
      h('button', { type: 'button', onclick: act('Test ping', () => api('POST', `/subscriptions/${s.id}/test`)) }, 'Test ping'), ' ',
      h('button', { type: 'button', onclick: act('Delete', () => api('DELETE', `/subscriptions/${s.id}`)) }, 'Delete'))));
    advEl.replaceChildren(...advs.items.map((a) => h('li', {}, `${a.id} ${a.severity}: ${a.title} (${a.ports.map((p) => `${p.protocol.toLowerCase()}/${p.port}`).join(', ')}) — ${a.workaround} `,
      h('button', { type: 'button', onclick: act('Delete advisory', () => api('DELETE', `/advisories/${encodeURIComponent(a.id)}`)) }, 'Delete'))));
    silEl.replaceChildren(...sils.items.map((s) => h('li', {}, `ports ${s.ports.join(', ') || 'all'}, kinds ${s.kinds.join(', ') || 'all'}, until ${s.endsAt}: ${s.reason} `,
      h('button', { type: 'button', onclick: act('Delete silence', () => api('DELETE', `/silences/${s.id}`)) }, 'Delete'))));
  };
  show(main, h('h1', {}, 'Admin'), status,
    h('section', { 'aria-labelledby': 'subs-h' }, h('h2', { id: 'subs-h' }, 'Subscriptions'), subsEl,
      h('form', { class: 'stack', id: 'new-subscription', onsubmit: submit('Create subscription', (v) => ['/subscriptions', { url: v['url'] ?? '', ...(v['ports'] ? { ports: ports(v['ports']) } : {}) }]) },
        field('Webhook URL', 'url', { type: 'url', required: true }), field('Ports (comma-separated, empty = all)', 'ports'), h('button', { type: 'submit' }, 'Create subscription'))),
    h('section', { 'aria-labelledby': 'adv-h' }, h('h2', { id: 'adv-h' }, 'Advisories'), advEl,
      h('form', { class: 'stack', onsubmit: submit('Create advisory', (v) => ['/advisories', {
        id: v['id'] ?? '', title: v['title'] ?? '', severity: v['severity'] ?? 'CRITICAL', published: new Date().toISOString(), workaround: v['workaround'] ?? '',
        ports: ports(v['ports'] ?? '').map((port) => ({ protocol: 'TCP', port })),
      }]) },
        field('Id (e.g. MS05-027)', 'id', { required: true }), field('Title', 'title', { required: true }), field('TCP ports (comma-separated)', 'ports', { required: true }),
        h('label', {}, 'Severity', h('select', { name: 'severity' }, ...['CRITICAL', 'IMPORTANT', 'MODERATE', 'LOW'].map((s) => h('option', {}, s)))),
        field('Workaround', 'workaround'), h('button', { type: 'submit' }, 'Create advisory'))),
    h('section', { 'aria-labelledby': 'sil-h' }, h('h2', { id: 'sil-h' }, 'Silences'), silEl,
      h('form', { class: 'stack', onsubmit: submit('Create silence', (v) => ['/silences', { ports: ports(v['ports'] ?? ''), endsAt: new Date(Date.now() + Number(v['hours'] ?? '1') * 3_600_000).toISOString(), reason: v['reason'] ?? '' }]) },
        field('Ports (comma-separated, empty = all)', 'ports'), field('Hours', 'hours', { type: 'number', min: '1', value: '1', required: true }), field('Reason', 'reason', { required: true }),
        h('button', { type: 'submit' }, 'Create silence'))));
  void load().catch((err: unknown) => {
    status.replaceChildren(h('span', { class: 'error' }, `The alerter API is unavailable: ${err instanceof Error ? err.message : String(err)}`));
  });
  return {};
}
