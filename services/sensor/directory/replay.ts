/**
 * Replays a directory of per-sensor files (listing.ts) as the sensors would
 * have published them, together: every file is decoded by its format's
 * parser, the streams are merged by event time (merge.ts), and one shared
 * clock paces them at `speed` data seconds per wall second (0 = as fast as
 * possible). Each file's events go to its own sensor's pipeline, so breadth
 * across sensors and the sensors' relative timing are those of the data.
 * This is "what would Portent have said about last week?".
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import type { Clock } from '../../common/clock.ts';
import { gunzipIfNeeded, rawBytes } from '../inputs/source.ts';
import type { Decoder } from '../inputs/source.ts';
import type { InputReport } from '../report.ts';
import { listSensorFiles } from './listing.ts';
import type { FileKind, SensorFile } from './listing.ts';
import { mergeByTime } from './merge.ts';

export type Emit = (events: ConnectionEvent[]) => Promise<void>;

export interface DirectoryReplayOptions {
  readonly dir: string;
  /** Data seconds per wall second; 0 = as fast as possible. */
  readonly speed: number;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** A file kind's decoder (input.ts decoderFor). */
  readonly decoder: (kind: FileKind) => Decoder;
}

/**
 * Event time gathered per sensor before it is handed to the pipelines: one
 * call per sensor per second of data, not one per merge run (runs of busy
 * interleaved sensors are a few events long). Well under the pipeline's 5 s
 * flush span and the detector's 10 s allowed lateness.
 */
const TICK_MS = 1000;
const MIN_SLEEP_MS = 20;

async function* decoded(file: SensorFile, decoder: Decoder, report: InputReport, signal: AbortSignal): AsyncGenerator<ConnectionEvent[]> {
  for await (const chunk of gunzipIfNeeded(rawBytes({ file: file.path, follow: false, signal }), report)) {
    const events = decoder.push(chunk);
    if (events.length > 0) yield events;
    if (signal.aborted) return;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

export async function replayDirectory(opts: DirectoryReplayOptions, report: InputReport, emitFor: (sensorId: string) => Emit): Promise<SensorFile[]> {
  const files = listSensorFiles(opts.dir, report);
  const held: ConnectionEvent[][] = files.map(() => []);
  const handOn = async (): Promise<void> => {
    for (const [i, events] of held.entries()) {
      if (events.length === 0) continue;
      held[i] = [];
      await emitFor(files[i]?.sensorId ?? '')(events);
    }
  };
  let origin: { data: number; wall: number } | undefined;
  let tick = Number.NEGATIVE_INFINITY;
  for await (const run of mergeByTime(files.map((f) => decoded(f, opts.decoder(f.kind), report, opts.signal)))) {
    const t = run.events[0]?.eventTime ?? 0;
    if (t >= tick + TICK_MS) {
      await handOn();
      tick = t;
      if (opts.speed > 0) {
        origin ??= { data: t, wall: opts.clock() };
        const wait = origin.wall + (t - origin.data) / opts.speed - opts.clock();
        if (wait >= MIN_SLEEP_MS) await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
      }
      if (opts.signal.aborted) break;
    }
    const mine = held[run.source];
    if (mine !== undefined) for (const e of run.events) mine.push(e);
  }
  await handOn();
  return files;
}
