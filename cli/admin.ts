/**
 * `portent subs`, `portent advisories`, `portent silences`: the alerter's
 * API, reached through the console (/v1/alerter/...) with the same token; the
 * alerter decides what the token's scope may change.
 */
import { Command } from 'commander';
import { request } from './client.ts';
import type { Target } from './client.ts';
import { table } from './output.ts';
import type { Out } from './output.ts';

export type Context = () => { target: Target; out: Out };

const alerter = <T>(t: Target, method: string, path: string, body?: unknown): Promise<T> => request<T>(t, method, `/v1/alerter${path}`, body);

function ports(text: string | undefined): number[] | undefined {
  return text === undefined ? undefined : text.split(',').map((p) => Number(p.trim()));
}

async function list(ctx: Context, path: string, columns: readonly string[], row: (item: Record<string, unknown>) => (string | number)[]): Promise<void> {
  const { target, out } = ctx();
  const { items } = await alerter<{ items: Record<string, unknown>[] }>(target, 'GET', path);
  if (out.json) out.data(items);
  else out.line(items.length === 0 ? '(none)' : table(columns, items.map(row)));
}

async function act(ctx: Context, method: string, path: string, body?: unknown): Promise<void> {
  const { target, out } = ctx();
  const answer = await alerter<unknown>(target, method, path, body);
  if (out.json) out.data(answer ?? { ok: true });
  else if (answer === null) out.line('done');
  else out.line(JSON.stringify(answer, null, 2));
}

export function subsCommand(ctx: Context): Command {
  const subs = new Command('subs').description('webhook subscriptions (list by default)').action(() => list(ctx, '/subscriptions', ['id', 'url', 'format', 'paused'], (s) => [String(s['id']), String(s['url']), String(s['format']), s['paused'] === true ? 'yes' : '']));
  subs.command('list').description('list subscriptions').action(() => list(ctx, '/subscriptions', ['id', 'url', 'format', 'paused'], (s) => [String(s['id']), String(s['url']), String(s['format']), s['paused'] === true ? 'yes' : '']));
  subs.command('create').description('subscribe a webhook URL; prints the signing secret once').argument('<url>').option('--ports <list>', 'comma-separated ports (default every port)')
    .option('--format <format>', 'CLOUDEVENTS, SLACK or PAGERDUTY').action((url: string, o: { ports?: string; format?: string }) =>
      act(ctx, 'POST', '/subscriptions', { url, ...(o.ports === undefined ? {} : { ports: ports(o.ports) }), ...(o.format === undefined ? {} : { format: o.format.toUpperCase() }) }));
  subs.command('delete').argument('<id>').description('delete a subscription').action((id: string) => act(ctx, 'DELETE', `/subscriptions/${encodeURIComponent(id)}`));
  subs.command('pause').argument('<id>').description('stop deliveries').action((id: string) => act(ctx, 'POST', `/subscriptions/${encodeURIComponent(id)}/pause`));
  subs.command('resume').argument('<id>').description('resume deliveries').action((id: string) => act(ctx, 'POST', `/subscriptions/${encodeURIComponent(id)}/resume`));
  subs.command('ping').argument('<id>').description('send a signed test webhook now').action((id: string) => act(ctx, 'POST', `/subscriptions/${encodeURIComponent(id)}/test`));
  return subs;
}

export function advisoriesCommand(ctx: Context): Command {
  const row = (a: Record<string, unknown>): string[] => [String(a['id']), String(a['severity']), String(a['title']), (a['ports'] as { protocol: string; port: number }[]).map((p) => `${p.protocol.toLowerCase()}/${p.port}`).join(',')];
  const adv = new Command('advisories').description('advisories that raise worm-risk (list by default)').action(() => list(ctx, '/advisories', ['id', 'severity', 'title', 'ports'], row));
  adv.command('list').description('list advisories').action(() => list(ctx, '/advisories', ['id', 'severity', 'title', 'ports'], row));
  adv.command('create').description('publish an advisory (admin scope)').argument('<id>').requiredOption('--title <text>').requiredOption('--ports <list>', 'comma-separated TCP ports')
    .option('--severity <s>', 'LOW, MODERATE, IMPORTANT or CRITICAL', 'CRITICAL').option('--workaround <text>', 'what to do until patched', '').option('--published <iso>', 'publication time (default now)')
    .action((id: string, o: { title: string; ports: string; severity: string; workaround: string; published?: string }) => act(ctx, 'POST', '/advisories', {
      id, title: o.title, severity: o.severity.toUpperCase(), workaround: o.workaround, published: o.published ?? new Date().toISOString(),
      ports: (ports(o.ports) ?? []).map((port) => ({ protocol: 'TCP', port })),
    }));
  adv.command('delete').argument('<id>').description('withdraw an advisory (admin scope)').action((id: string) => act(ctx, 'DELETE', `/advisories/${encodeURIComponent(id)}`));
  return adv;
}

export function silencesCommand(ctx: Context): Command {
  const row = (s: Record<string, unknown>): string[] => [String(s['id']), (s['ports'] as number[]).join(',') || 'all', (s['kinds'] as string[]).join(',') || 'all', String(s['endsAt']), String(s['reason'])];
  const sil = new Command('silences').description('muted ports and alert kinds (list by default)').action(() => list(ctx, '/silences', ['id', 'ports', 'kinds', 'ends', 'reason'], row));
  sil.command('list').description('list silences').action(() => list(ctx, '/silences', ['id', 'ports', 'kinds', 'ends', 'reason'], row));
  sil.command('create').description('mute alerts for a while').requiredOption('--reason <text>').option('--ports <list>', 'comma-separated ports (default all)').option('--kinds <list>', 'SURGE,WORM_RISK (default all)')
    .option('--hours <n>', 'how long', '1').action((o: { reason: string; ports?: string; kinds?: string; hours: string }) => act(ctx, 'POST', '/silences', {
      reason: o.reason, endsAt: new Date(Date.now() + Number(o.hours) * 3_600_000).toISOString(),
      ...(o.ports === undefined ? {} : { ports: ports(o.ports) }), ...(o.kinds === undefined ? {} : { kinds: o.kinds.toUpperCase().split(',') }),
    }));
  sil.command('delete').argument('<id>').description('end a silence').action((id: string) => act(ctx, 'DELETE', `/silences/${encodeURIComponent(id)}`));
  return sil;
}
