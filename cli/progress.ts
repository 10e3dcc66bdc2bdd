/**
 * A progress line on stderr for long reads (topic dumps, file reads): items
 * done of the total, items/s and the time left. Only on a terminal, at most
 * every 200 ms, so scripts and pipes see nothing of it.
 */
export class Progress {
  readonly #total: number;
  readonly #unit: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #started = performance.now();
  #shown = 0;

  constructor(total: number, unit: string, stream: NodeJS.WriteStream = process.stderr) {
    this.#total = total;
    this.#unit = unit;
    this.#stream = stream;
  }

  /** The line for `done` items after `seconds`: pure, so it is tested without a terminal. */
  static line(done: number, total: number, seconds: number, unit: string): string {
    const rate = seconds > 0 ? done / seconds : 0;
    // An unknown total (a followed log, a simulator): no bar, no time left.
    if (total <= 0) return `${done.toLocaleString('en')} ${unit}, ${Math.round(rate).toLocaleString('en')} ${unit}/s`;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const bar = '█'.repeat(Math.round(share * 20)).padEnd(20, '░');
    const eta = rate > 0 && total > done ? `, ${Math.ceil((total - done) / rate)} s left` : '';
    return `${bar} ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit}, ${Math.round(rate).toLocaleString('en')} ${unit}/s${eta}`;
  }

  update(done: number): void {
    const now = performance.now();
    if (!this.#stream.isTTY || now - this.#shown < 200) return;
    this.#shown = now;
    this.#stream.write(`\r${Progress.line(done, this.#total, (now - this.#started) / 1000, this.#unit)}\u001b[K`);
  }

  finish(): void {
    if (this.#stream.isTTY && this.#shown > 0) this.#stream.write('\r\u001b[K');
  }
}
