/**
 * What became of the input: events read, and every skipped line or packet
 * counted per reason, with the first few examples and where they were
 * ("line 17", "packet 3"), so an operator can find them in the file.
 */
export interface SkipExample {
  readonly where: string;
  readonly sample: string;
}

/** Where a skipped item was: a line number (formatted "line N" only when needed), or text such as "packet 3". */
export type Where = string | number;

const EXAMPLES_PER_REASON = 3;
const SAMPLE_CHARS = 120;

export class InputReport {
  read = 0;
  /** A message that ended the input early but cleanly (e.g. a truncated pcap). */
  readonly notes: string[] = [];
  /** Steps back in event time larger than the detector's allowed lateness (inputs/time-order.ts TimeCheck). */
  readonly time = { allowedLatenessMs: 0, stepsBack: 0, largestStepBackMs: 0 };
  /** Captures (inputs/attempt-tracker.ts): retransmitted SYNs taken as their first, answers that came after their attempt was published. */
  readonly tcp = { retransmissions: 0, lateAnswers: 0 };
  readonly #skipped = new Map<string, { count: number; examples: SkipExample[] }>();

  skip(reason: string, where: Where, sample = ''): void {
    let entry = this.#skipped.get(reason);
    if (entry === undefined) {
      entry = { count: 0, examples: [] };
      this.#skipped.set(reason, entry);
    }
    entry.count++;
    if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push({ where: typeof where === 'number' ? `line ${where}` : where, sample: sample.slice(0, SAMPLE_CHARS) });
  }

  note(message: string): void {
    this.notes.push(message);
  }

  skippedTotal(): number {
    let n = 0;
    for (const e of this.#skipped.values()) n += e.count;
    return n;
  }

  skipped(): Record<string, number> {
    return Object.fromEntries([...this.#skipped].map(([reason, e]) => [reason, e.count]));
  }

  examples(): Record<string, readonly SkipExample[]> {
    return Object.fromEntries([...this.#skipped].map(([reason, e]) => [reason, e.examples]));
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;

/** A human-readable end-of-run report (stderr), next to the JSON log line; `elapsedMs`: the wall time spent reading the input. */
export function formatReport(report: InputReport, published: number, dropped: Readonly<Record<string, number>>, spooled: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round((report.read * 1000) / elapsedMs) : 0;
  const lines = [`events read: ${report.read}, published: ${published}, still spooled: ${spooled}`, `elapsed: ${seconds(elapsedMs)} reading the input, ${rate} events read per second`];
  const { retransmissions, lateAnswers } = report.tcp;
  if (retransmissions > 0) lines.push(`retransmitted SYNs (the same attempt): ${retransmissions}`);
  if (lateAnswers > 0) lines.push(`answers after their attempt was published as ATTEMPT (outcome not updated; see --answer-wait): ${lateAnswers}`);
  const t = report.time;
  if (t.stepsBack > 0) {
    lines.push(`time ran backwards ${t.stepsBack} times by more than the allowed lateness (${seconds(t.allowedLatenessMs)}); largest step ${seconds(t.largestStepBackMs)}: those events are late for the detector (--reorder SECONDS sorts them)`);
  }
  for (const [reason, n] of Object.entries(dropped)) lines.push(`events dropped (${reason}): ${n}`);
  const examples = report.examples();
  for (const [reason, n] of Object.entries(report.skipped())) {
    lines.push(`skipped (${reason}): ${n}`);
    for (const ex of examples[reason] ?? []) lines.push(`  ${ex.where}: ${ex.sample}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
