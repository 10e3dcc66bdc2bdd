/**
 * `portent sensor --dry-run [sensor options]`: what a sensor would publish,
 * as NDJSON connection events on stdout, with no Kafka. The options are the
 * sensor's own (services/sensor/cli.ts); the simulator plays as fast as
 * possible unless --speed says otherwise. A summary of what was read and
 * skipped goes to stderr.
 */
import type { Clock } from '../services/common/clock.ts';
import { parseCli, USAGE } from '../services/sensor/cli.ts';
import { loadSensorConfig } from '../services/sensor/config.ts';
import { runInput } from '../services/sensor/input.ts';
import { InputReport } from '../services/sensor/report.ts';
import { CliError } from './client.ts';
import type { Out } from './output.ts';
import { Progress } from './progress.ts';

export async function sensorDryRun(args: readonly string[], env: NodeJS.ProcessEnv, out: Out, clock: Clock, signal: AbortSignal): Promise<number> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(args, env);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 2);
  }
  if (cli.help) {
    out.line(USAGE.replace('usage: node services/sensor/main.ts', 'usage: portent sensor --dry-run'));
    return 0;
  }
  let config: ReturnType<typeof loadSensorConfig>;
  try {
    config = loadSensorConfig({ PORTENT_SENSOR_SPEED: '0', ...cli.env }, clock());
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 2);
  }
  const report = new InputReport();
  let events = 0;
  // Events and events/s on a terminal's stderr while a long file or scenario is read.
  const progress = new Progress(0, 'events');
  await runInput(config.input, report, (batch) => {
    for (const e of batch) out.data(e);
    events += batch.length;
    progress.update(events);
    return Promise.resolve();
  }, signal, clock, process.stdin);
  progress.finish();
  process.stderr.write(`sensor dry run: ${events} events from ${report.read} records read (${config.input.kind})\n`);
  return events;
}
