/**
 * Durations as operators write them in configuration: an integer followed by
 * a unit, e.g. `500ms`, `5s`, `5m`, `2h`, `1d`. A bare number is rejected so
 * that nobody has to guess whether `30` meant seconds or milliseconds.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/** The same grammar as a JSON-schema pattern, for a comma-separated list (possibly empty). */
export const DURATION_LIST_PATTERN = '^\\s*$|^\\s*\\d{1,9}(ms|s|m|h|d)\\s*(,\\s*\\d{1,9}(ms|s|m|h|d)\\s*)*$';

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null) return undefined;
  const [, amount, unit] = m;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** `'1s, 5s,30s'` -> `[1000, 5000, 30000]`; `''` -> `[]`; undefined when any item is not a duration. */
export function parseDurationList(text: string): number[] | undefined {
  if (text.trim() === '') return [];
  const out: number[] = [];
  for (const item of text.split(',')) {
    const ms = parseDuration(item);
    if (ms === undefined) return undefined;
    out.push(ms);
  }
  return out;
}
