/** `portent stats PORT --since 1h`: a port's windows as a table and a terminal sparkline. */
import { CliError, request } from './client.ts';
import type { Target } from './client.ts';
import { sparkline, table } from './output.ts';
import type { Out } from './output.ts';

interface PortChart {
  series: { windowStart: number[]; sources: number[]; baseline: number[]; attempts: number[]; newSources: number[]; scanners: number[]; surging: boolean[] };
}

/** `445` or `tcp/445` -> ['tcp', 445]. */
export function parsePort(text: string): [string, number] {
  const m = /^(?:(tcp|udp|icmp)\/)?(\d{1,5})$/i.exec(text);
  const port = Number(m?.[2]);
  if (m === null || port > 65_535) throw new CliError(`not a port: ${text} (e.g. 445 or udp/53)`, 2);
  return [(m[1] ?? 'tcp').toLowerCase(), port];
}

export async function portStats(t: Target, out: Out, portText: string, since: string): Promise<void> {
  const [protocol, port] = parsePort(portText);
  if (!['1h', '24h', '7d'].includes(since)) throw new CliError(`--since must be 1h, 24h or 7d, not ${since}`, 2);
  const { series: s } = await request<PortChart>(t, 'GET', `/v1/ports/${protocol}/${port}?range=${since}`);
  if (out.json) {
    out.data({ protocol, port, since, series: s });
    return;
  }
  out.line(`${protocol}/${port}, last ${since}: ${s.windowStart.length} windows`);
  out.line(`distinct sources ${sparkline(s.sources)}`);
  out.line(table(['window', 'sources', 'baseline', 'attempts', 'new', 'scanners', 'surging'], s.windowStart.map((w, i) => [
    new Date(w).toISOString().slice(0, 16).replace('T', ' '), s.sources[i] ?? 0, Math.round(s.baseline[i] ?? 0), s.attempts[i] ?? 0, s.newSources[i] ?? 0, s.scanners[i] ?? 0, s.surging[i] === true ? 'yes' : '',
  ])));
}
