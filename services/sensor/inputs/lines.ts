/**
 * Line-oriented inputs (Zeek, EVE, netfilter, DShield) share this: bytes in,
 * whole lines out with their line numbers, each handed to the input's
 * LineParser. A parser never throws on bad data; it counts a skip instead
 * (and a thrown error is caught here and counted too, so nothing crashes).
 */
import { StringDecoder } from 'node:string_decoder';
import type { ConnectionEvent, Protocol } from '../../common/avro/generated-types.ts';
import { sensorError, SensorErrorCodes } from '../errors.ts';
import type { InputReport, Where } from '../report.ts';

export interface LineParser {
  /** Parses one line (no newline); pushes 0..n events to `out`, or calls report.skip with `where`. */
  line(text: string, where: Where, out: ConnectionEvent[], report: InputReport): void;
  /**
   * Optional, the same for the line text.slice(start, end), read in place:
   * a parser that needs only a few values of a line saves the line's string
   * (and reads the characters of the chunk's flat string, which is faster).
   */
  lineIn?(text: string, start: number, end: number, where: Where, out: ConnectionEvent[], report: InputReport): void;
}

/** Skip reasons that say a line is not of the input's format at all (not just a bad value in a record of it). */
const NOT_THIS_FORMAT = new Set(['not a JSON object', 'unparsable line', 'line too long', 'TSV line before #fields header', 'wrong number of columns', 'not a netfilter LOG line', 'too few fields']);

/** Lines longer than this are not log lines: skipped without being buffered whole. */
const MAX_LINE = 64 * 1024;

export class LineSplitter {
  readonly #parser: LineParser;
  readonly #report: InputReport;
  #rest = '';
  #lineNo = 0;
  #overlong = false;
  readonly #decoder = new StringDecoder('utf8');
  /** The last chunk ended in a non-ASCII byte: the decoder may hold the start of a character. */
  #mayHoldBytes = false;

  readonly #kind: string | undefined;

  /** `kind`: the input's name; when given, input none of whose lines is of that format ends in an error. */
  constructor(parser: LineParser, report: InputReport, kind?: string) {
    this.#parser = parser;
    this.#report = report;
    this.#kind = kind;
  }

  push(chunk: Buffer): ConnectionEvent[] {
    const out: ConnectionEvent[] = [];
    // A character whose UTF-8 bytes straddle two chunks is held back until the rest arrives
    // (decoding each chunk on its own turned it into two replacement characters). The decoder
    // costs ~5 % of parsing, so a chunk that ends in ASCII after one that did is decoded directly.
    const last = chunk[chunk.length - 1] ?? 0;
    const text = this.#mayHoldBytes || last >= 0x80 ? this.#decoder.write(chunk) : chunk.toString('utf8');
    if (chunk.length > 0) this.#mayHoldBytes = last >= 0x80;
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && this.#rest.length > 0) {
      const first = this.#rest + text.slice(0, nl);
      this.#one(first, 0, first.length, out);
      this.#rest = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    for (; nl >= 0; nl = text.indexOf('\n', start)) {
      this.#one(text, start, nl, out);
      start = nl + 1;
    }
    this.#rest = this.#rest + text.slice(start);
    if (this.#rest.length > MAX_LINE) {
      if (!this.#overlong) this.#report.skip('line too long', `line ${this.#lineNo + 1}`, this.#rest);
      this.#overlong = true;
      this.#rest = '';
    }
    return out;
  }

  /** End of input: a last line without a newline still counts. */
  end(): ConnectionEvent[] {
    const out: ConnectionEvent[] = [];
    // Bytes of a character cut off by the end of the input become a replacement character, as a whole-file decode would.
    this.#rest += this.#decoder.end();
    if (this.#rest.length > 0) this.#one(this.#rest, 0, this.#rest.length, out);
    this.#rest = '';
    this.#checkFormat();
    return out;
  }

  /** Nothing read, and every line skipped as not of the format: the input is of another kind (exit code, not a quiet 0). */
  #checkFormat(): void {
    const report = this.#report;
    if (this.#kind === undefined || report.read > 0) return;
    const reasons = Object.keys(report.skipped());
    if (reasons.length === 0 || !reasons.every((r) => NOT_THIS_FORMAT.has(r))) return;
    const first = report.examples()[reasons[0] ?? '']?.[0];
    throw sensorError(
      SensorErrorCodes.INPUT_WRONG_TYPE,
      `not ${this.#kind} input: none of its ${report.skippedTotal()} lines could be read (${reasons.join(', ')}${first === undefined ? '' : `; ${first.where}: ${first.sample.slice(0, 60)}`})`,
      { kind: this.#kind, skipped: report.skipped() },
    );
  }

  /** The line text.slice(start, end) (without its newline). */
  #one(text: string, start: number, end: number, out: ConnectionEvent[]): void {
    this.#lineNo++;
    if (this.#overlong) {
      // The tail of a line already reported as too long.
      this.#overlong = false;
      return;
    }
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) return;
    const before = out.length;
    const parser = this.#parser;
    try {
      // The line number, not "line N": the text is only built for a skip (saves a string per line).
      if (parser.lineIn !== undefined) parser.lineIn(text, start, end, this.#lineNo, out, this.#report);
      else parser.line(start === 0 && end === text.length ? text : text.slice(start, end), this.#lineNo, out, this.#report);
    } catch (err) {
      out.length = before;
      this.#report.skip('unparsable line', `line ${this.#lineNo}`, `${text.slice(start, end)} (${err instanceof Error ? err.message : String(err)})`);
    }
    this.#report.read += out.length - before;
  }
}

/** Protocol names and numbers as the logs write them. */
export function protocolOf(text: string): Protocol | undefined {
  // The spellings seen nearly always, without lower-casing.
  if (text === 'tcp' || text === 'TCP') return 'TCP';
  if (text === 'udp' || text === 'UDP') return 'UDP';
  switch (text.toLowerCase()) {
    case 'tcp':
    case '6':
      return 'TCP';
    case 'udp':
    case '17':
      return 'UDP';
    case 'icmp':
    case '1':
    case 'icmpv6':
    case 'ipv6-icmp':
    case '58':
      return 'ICMP';
    default:
      return undefined;
  }
}

/** A port number 0..65535, or undefined. */
export function portOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** ICMP echo request type: 8 (ICMP) or 128 (ICMPv6). */
export function isEchoRequest(type: number | undefined): boolean {
  return type === 8 || type === 128;
}
