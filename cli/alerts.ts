/** `portent alerts tail` (live, from the console's event stream) and `portent alerts show ID`. */
import type { Alert } from '../services/common/avro/generated-types.ts';
import { follow, request } from './client.ts';
import type { Target } from './client.ts';
import { paint, table } from './output.ts';
import type { Out } from './output.ts';

export interface AlertFilter {
  readonly port?: number | undefined;
  readonly kind?: string | undefined;
}

export function matches(a: Alert, f: AlertFilter): boolean {
  return (f.port === undefined || a.port === f.port) && (f.kind === undefined || a.kind === f.kind.toUpperCase());
}

export function alertLine(out: Out, a: Alert): string {
  const colour = a.state === 'RESOLVED' ? 32 : a.severity === 'HIGH' || a.severity === 'CRITICAL' ? 31 : 33;
  const when = new Date(a.windowStart).toISOString().slice(0, 16).replace('T', ' ');
  return `${when}  ${paint(out, colour, a.state.padEnd(8))} ${a.kind.padEnd(9)} ${a.protocol.toLowerCase()}/${a.port}  ${a.severity.padEnd(8)} ` +
    `${a.figures.distinctSources} sources, ${a.ratio.toFixed(1)}x baseline, worm-risk ${a.wormRisk.level} ${a.wormRisk.score}  ${a.alertId}`;
}

/** Prints each alert state as it is stored, until `signal` aborts (Ctrl-C). */
export async function tailAlerts(t: Target, out: Out, filter: AlertFilter, signal: AbortSignal): Promise<void> {
  await follow(t, (data) => {
    const event = JSON.parse(data) as { type: string; alert?: Alert };
    if (event.type !== 'alert' || event.alert === undefined || !matches(event.alert, filter)) return;
    if (out.json) out.data(event.alert);
    else out.line(alertLine(out, event.alert));
  }, signal);
}

export async function showAlert(t: Target, out: Out, id: string): Promise<void> {
  const { states } = await request<{ states: Alert[] }>(t, 'GET', `/v1/alerts/${encodeURIComponent(id)}`);
  const last = states.at(-1);
  if (out.json || last === undefined) {
    out.data({ alertId: id, states });
    return;
  }
  out.line(`${last.kind} ${last.protocol.toLowerCase()}/${last.port}  ${last.state}  severity ${last.severity}  shape ${last.shape}`);
  out.line(`worm-risk ${last.wormRisk.level} ${last.wormRisk.score}/100, growth ${last.wormRisk.growthPerMinute.toFixed(3)}/min, DSC sources ${last.wormRisk.dscSources}, sensors ${last.wormRisk.sensorsReporting}/${last.wormRisk.sensorsKnown}`);
  out.line('\nreasons:');
  for (const r of last.reasons) out.line(`  - ${r}`);
  if (last.advisory !== null) out.line(`\nadvisory ${last.advisory.id}: ${last.advisory.title}\n  workaround: ${last.advisory.workaround}`);
  out.line('\nlifecycle:');
  out.line(table(['state', 'window', 'sources', 'ratio', 'severity'], states.map((s) => [s.state, new Date(s.windowStart).toISOString(), s.figures.distinctSources, Number(s.ratio.toFixed(1)), s.severity])));
  if (last.topScanners.length > 0) {
    out.line('\ntop scanners:');
    out.line(table(['source', 'attempts', 'destinations'], last.topScanners.map((s) => [s.ip, s.attempts, s.destinations])));
  }
}
