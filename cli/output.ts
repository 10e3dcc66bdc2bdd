/**
 * Output for people and for scripts: `--json` prints JSON (NDJSON for
 * streams) and nothing else; otherwise aligned tables, terminal sparklines,
 * and colour only when stdout is a terminal (and NO_COLOR is unset).
 */
export interface Out {
  readonly json: boolean;
  readonly colour: boolean;
  line(text: string): void;
  data(value: unknown): void;
}

export function output(json: boolean, stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Out {
  return {
    json,
    colour: stream.isTTY && env['NO_COLOR'] === undefined,
    line: (text) => stream.write(`${text}\n`),
    data: (value) => stream.write(`${JSON.stringify(value, jsonSafe)}\n`),
  };
}

/** Buffers as base64 and bigints as strings: JSON has neither. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled between the series' minimum and maximum. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const span = Math.max(...values) - min;
  return values.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))] ?? '').join('');
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells.map((r) => r.map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function paint(out: Out, code: number, text: string): string {
  return out.colour ? `\u001b[${code}m${text}\u001b[0m` : text;
}
