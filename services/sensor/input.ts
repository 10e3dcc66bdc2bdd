/**
 * Runs the configured input until it ends (a file read to its end, a
 * scenario played out) or `signal` aborts (SIGTERM, or forever for --follow
 * and live capture), handing events to `emit` chunk by chunk.
 */
import type { ConnectionEvent } from '../common/avro/generated-types.ts';
import type { InputConfig } from './config.ts';
import { DEFAULT_TRACKING } from './inputs/attempt-tracker.ts';
import type { TrackingOptions } from './inputs/attempt-tracker.ts';
import { CaptureStream } from './inputs/capture.ts';
import { dshieldParser } from './inputs/dshield.ts';
import { eveParser } from './inputs/eve/parser.ts';
import { LineSplitter } from './inputs/lines.ts';
import type { LineParser } from './inputs/lines.ts';
import { captureLive } from './inputs/live.ts';
import { netfilterParser } from './inputs/netfilter.ts';
import { replayDirectory } from './directory/replay.ts';
import { playSimulator } from './inputs/simulator.ts';
import { decodeBytes } from './inputs/source.ts';
import type { Decoder } from './inputs/source.ts';
import { zeekConnParser } from './inputs/zeek.ts';
import { OrderedDecoder } from './inputs/ordered.ts';
import { DEFAULT_ORDER } from './inputs/time-order.ts';
import type { OrderOptions } from './inputs/time-order.ts';
import { paced } from './pace.ts';
import type { InputReport } from './report.ts';
import type { Clock } from '../common/clock.ts';

export type Emit = (events: ConnectionEvent[]) => Promise<void>;

const LINE_PARSERS: Readonly<Record<'zeek' | 'eve' | 'netfilter' | 'dshield', (clock: Clock) => LineParser>> = {
  zeek: zeekConnParser,
  eve: eveParser,
  // Syslog time stamps carry no year: the clock supplies it.
  netfilter: (clock) => netfilterParser(clock),
  dshield: dshieldParser,
};

type FileKind = 'pcap' | 'zeek' | 'eve' | 'netfilter' | 'dshield';

/**
 * The decoder of a file input kind, its events checked for time running
 * backwards and sorted within the reorder window (a capture's frames are
 * sorted before they become attempts). A line input of which no line could
 * be read, though some were there, was not of this kind: it ends in an error.
 */
export function decoderFor(kind: FileKind, report: InputReport, clock: Clock, tracking: TrackingOptions = DEFAULT_TRACKING, order: OrderOptions = DEFAULT_ORDER): Decoder {
  if (kind === 'pcap') return new OrderedDecoder(new CaptureStream(report, tracking, order), report, order, false);
  return new OrderedDecoder(new LineSplitter(LINE_PARSERS[kind](clock), report, kind), report, order, true);
}

/**
 * `emitFor`: the emit of another sensor id, for inputs that carry several
 * sensors (a directory replay); every other input uses `emit`.
 */
export async function runInput(input: InputConfig, report: InputReport, emit: Emit, signal: AbortSignal, clock: Clock, stdin?: NodeJS.ReadableStream, emitFor?: (sensorId: string) => Emit): Promise<void> {
  switch (input.kind) {
    case 'directory':
      await replayDirectory({ dir: input.dir, speed: input.speed, signal, clock, decoder: (kind) => decoderFor(kind, report, clock, input.tracking, input.order) }, report, emitFor ?? (() => emit));
      return;
    case 'simulator':
      await playSimulator({ ...input, signal }, report, emit);
      return;
    case 'live':
      await captureLive({ ...input, signal }, report, emit);
      return;
    default: {
      const source = stdin === undefined ? { file: input.file, follow: input.follow, signal } : { file: input.file, follow: input.follow, signal, stdin };
      await decodeBytes(source, decoderFor(input.kind, report, clock, input.tracking, input.order), report, paced(emit, input.speed, signal, clock));
    }
  }
}
