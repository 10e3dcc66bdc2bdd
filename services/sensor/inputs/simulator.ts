/**
 * The simulator as a sensor input: a named, seeded scenario (scenarios/generate.ts,
 * owned by the detector engineer) played by replayScenario in real time
 * (speed 1), scaled (speed N), or as fast as possible (speed 0). Event times
 * are the scenario's either way.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { replayScenario } from '../scenarios/play.ts';
import type { InputReport } from '../report.ts';
import type { Scenario } from '../scenarios/generate.ts';

export interface SimulatorOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly startMs: number;
  readonly speed: number;
  readonly signal: AbortSignal;
}

export async function playSimulator(opts: SimulatorOptions, report: InputReport, emit: (events: ConnectionEvent[]) => Promise<void>): Promise<void> {
  await replayScenario({
    scenario: opts.scenario,
    seed: opts.seed,
    startMs: opts.startMs,
    speed: opts.speed,
    signal: opts.signal,
    publish: async (events) => {
      report.read += events.length;
      if (events.length > 0) await emit(events);
    },
  });
}
