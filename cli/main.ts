/**
 * `portent`: the command line (package.json "bin", via bin/portent on
 * Node 24). Wiring only: each command lives in its own module.
 *
 *   portent alerts tail --port 445        live alert states
 *   portent alerts show <id>              one alert, its reasons and lifecycle
 *   portent stats 445 --since 1h          a table and a sparkline
 *   portent subs | advisories | silences  list, create, delete, pause, resume, ping
 *   portent topic dump <topic>            any Portent topic as NDJSON
 *   portent sensor --dry-run [options]    what a sensor would publish, no Kafka
 *   portent completion                    bash completion script
 *
 * `--json` everywhere; the console URL and token from --url/--token or
 * PORTENT_URL/PORTENT_TOKEN; Kafka from --brokers or KAFKA_BROKERS.
 */
import { Command } from 'commander';
import { systemClock } from '../services/common/clock.ts';
import { brokerList } from '../services/common/config.ts';
import { KafkaTransport } from '../services/common/kafka/transport.ts';
import { createLogger } from '../services/common/logger.ts';
import { advisoriesCommand, silencesCommand, subsCommand } from './admin.ts';
import type { Context } from './admin.ts';
import { showAlert, tailAlerts } from './alerts.ts';
import { CliError, target } from './client.ts';
import { bashCompletion } from './completion.ts';
import { output } from './output.ts';
import { sensorDryRun } from './sensor-dry-run.ts';
import { portStats } from './stats.ts';
import { dumpTopic } from './topic-dump.ts';

const stop = new AbortController();
// `portent topic dump ... | head`: a closed pipe ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.once('SIGINT', () => { stop.abort(); });
process.once('SIGTERM', () => { stop.abort(); });

const program = new Command('portent')
  .description('Portent from the command line: alerts, port statistics, subscriptions, topics, sensor dry runs')
  .option('--url <url>', 'console URL [PORTENT_URL, default http://127.0.0.1:8090]')
  .option('--token <token>', 'API token [PORTENT_TOKEN]')
  .option('--json', 'JSON (NDJSON for streams) instead of text')
  .option('--brokers <list>', 'Kafka bootstrap brokers, for topic dump [KAFKA_BROKERS, default 127.0.0.1:9092]')
  .option('--topic-prefix <prefix>', 'topic prefix [PORTENT_TOPIC_PREFIX, default portent.]')
  .showHelpAfterError();
interface Globals { url?: string; token?: string; json?: boolean; brokers?: string; topicPrefix?: string }
const globals = (): Globals => program.opts<Globals>();
const ctx: Context = () => ({ target: target(globals(), process.env), out: output(globals().json === true) });

const alerts = program.command('alerts').description('alerts from the console');
alerts.command('tail').description('print alert states as they arrive (Ctrl-C stops)').option('--port <port>', 'only this port').option('--kind <kind>', 'only SURGE or WORM_RISK')
  .action(async (o: { port?: string; kind?: string }) => {
    const { target: t, out } = ctx();
    await tailAlerts(t, out, { port: o.port === undefined ? undefined : Number(o.port), kind: o.kind }, stop.signal);
  });
alerts.command('show').description('one alert: reasons, worm-risk, lifecycle, top scanners').argument('<id>').action(async (id: string) => {
  const { target: t, out } = ctx();
  await showAlert(t, out, id);
});
program.command('stats').description("a port's windows: a table and a sparkline").argument('<port>', '445 or udp/53').option('--since <range>', '1h, 24h or 7d', '1h')
  .action(async (port: string, o: { since: string }) => {
    const { target: t, out } = ctx();
    await portStats(t, out, port, o.since);
  });
program.addCommand(subsCommand(ctx));
program.addCommand(advisoriesCommand(ctx));
program.addCommand(silencesCommand(ctx));
program.command('topic').description('Kafka topics').command('dump').description('decode a Portent topic to NDJSON (oldest record to the end)').argument('<topic>', 'full topic name, e.g. portent.alerts.v1')
  .option('--follow', 'keep reading new records').option('--limit <n>', 'stop after n records').action(async (topic: string, o: { follow?: boolean; limit?: string }) => {
    const g = globals();
    const transport = new KafkaTransport({ brokers: brokerList(g.brokers ?? process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'), clientId: 'portent-cli', logger: createLogger('cli', 'error'), retry: { retries: 2, maxRetryTimeMs: 2000 } });
    const name = topic.includes('.') ? topic : `${g.topicPrefix ?? process.env['PORTENT_TOPIC_PREFIX'] ?? 'portent.'}${topic}`;
    await dumpTopic(transport, output(true), name, { follow: o.follow === true, limit: o.limit === undefined ? undefined : Number(o.limit) }, stop.signal);
  });
program.command('sensor').description('what a sensor would publish: NDJSON events on stdout, no Kafka (sensor options follow; --help lists them)')
  .option('--dry-run', 'required: run the input without Kafka').helpOption(false).allowUnknownOption().allowExcessArguments()
  .action(async (o: { dryRun?: boolean }, cmd: Command) => {
    if (o.dryRun !== true) throw new CliError('only --dry-run is supported here; run a publishing sensor with npm run sensor', 2);
    await sensorDryRun(cmd.args, process.env, output(true), systemClock, stop.signal);
  });
program.command('completion').description('print the bash completion script: source <(portent completion)').action(() => {
  process.stdout.write(bashCompletion(program));
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`portent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
