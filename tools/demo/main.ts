/**
 * `npm start`: the whole system on one machine.
 *
 * 1. Starts a local Kafka broker from the Apache jars (unless KAFKA_BROKERS
 *    points at an existing cluster) and creates the topics.
 * 2. Starts the detector, the alerter and the console as separate processes,
 *    and prints the console's address with a sign-in link.
 * 3. Starts a webhook receiver on 127.0.0.1, subscribes it through the
 *    alerter's API, and prints every alert whose signature it verified.
 * 4. Starts a sensor playing a simulator scenario (`--scenario NAME`, default
 *    demo: background on common ports, then a surge on TCP 445; `--help`
 *    lists them). Scenario time runs PORTENT_DEMO_SPEED times
 *    faster than wall time (default 30: 28 scenario minutes in about a minute).
 *
 * Ctrl-C stops everything, broker included. PORTENT_DEMO_EXIT_WHEN_DONE=1
 * exits (0) by itself once the surge has been RESOLVED, as the test of this
 * command does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerList } from '../../services/common/config.ts';
import { topicNames, topicSpecs } from '../../services/common/kafka/topics.ts';
import { KafkaTransport } from '../../services/common/kafka/transport.ts';
import { dropHarmlessWarnings } from '../../services/common/lifecycle.ts';
import { createLogger } from '../../services/common/logger.ts';
import { startLocalBroker } from '../local-kafka/broker.ts';
import type { LocalBroker } from '../local-kafka/broker.ts';
import { pickFreePort } from '../local-kafka/config.ts';
import { SCENARIOS } from '../../services/sensor/scenarios/catalogue.ts';
import { formatAlert } from './format.ts';
import { demoUsage, parseDemoArgs } from './options.ts';
import type { DemoOptions } from './options.ts';
import { startService, waitForHttp } from './processes.ts';
import type { ServiceProcess } from './processes.ts';
import { startDemoReceiver } from './receiver.ts';
import type { DemoReceiver } from './receiver.ts';

dropHarmlessWarnings();
let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${demoUsage()}\n`);
  process.exit(0);
}
const env = process.env;
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const external = env['KAFKA_BROKERS'];
const speed = env['PORTENT_DEMO_SPEED'] ?? '30';
const exitWhenDone = env['PORTENT_DEMO_EXIT_WHEN_DONE'] === '1';
const logDir = mkdtempSync(join(tmpdir(), 'portent-demo-'));
const services: ServiceProcess[] = [];
let broker: LocalBroker | undefined;
let receiver: DemoReceiver | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    say('stopping: services, then the broker');
    await Promise.all(services.map((s) => s.stop()));
    await receiver?.close();
    await broker?.stop();
    say(`stopped. Service logs are in ${logDir}`);
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void shutdown(0);
  });
}

try {
  if (external === undefined || external === '') {
    say('starting a local Kafka broker (first run downloads the Apache Kafka jars with mvn)...');
    broker = await startLocalBroker({ log: say });
    say(`Kafka ready at ${broker.brokers.join(',')} (data in ${broker.dataDir})`);
  }
  const brokers = broker?.brokers ?? brokerList(external ?? '');
  // Against an existing cluster, a fresh topic prefix keeps this demo away from earlier runs' data.
  const prefix = env['PORTENT_TOPIC_PREFIX'] ?? (broker === undefined ? `portent.demo-${randomUUID().slice(0, 8)}.` : 'portent.');
  const transport = new KafkaTransport({ brokers, clientId: 'portent-demo', logger: createLogger('demo', 'warn') });
  await transport.ensureTopics(topicSpecs(topicNames(prefix), 3), 1);
  say(`topics ready: ${Object.values(topicNames(prefix)).join(', ')}`);

  receiver = await startDemoReceiver(
    (payload, webhookId) => {
      say(formatAlert(payload, webhookId));
      if (exitWhenDone && payload.data.state === 'RESOLVED') void shutdown(0);
    },
    (why) => {
      say(`receiver: ${why}`);
    },
  );

  const token = randomBytes(24).toString('base64url');
  const alerterPort = await pickFreePort();
  const base: NodeJS.ProcessEnv = { ...env, KAFKA_BROKERS: brokers.join(','), PORTENT_TOPIC_PREFIX: prefix };
  const alerter = startService('alerter', { ...base, PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(alerterPort), PORTENT_ALERTER_API_TOKENS: token, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' }, logDir);
  services.push(alerter, startService('detector', base, logDir));
  const api = `http://127.0.0.1:${alerterPort}`;
  let alerterAlive = true;
  void alerter.exited.then(() => (alerterAlive = false));
  await waitForHttp(`${api}/readyz`, 120_000, () => alerterAlive);

  const res = await fetch(`${api}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url }),
  });
  if (res.status !== 201) throw new Error(`subscription failed: ${res.status} ${await res.text()}`);
  const sub = (await res.json()) as { id: string; secret: string };
  receiver.setSecret(sub.secret);
  say(`alerter API at ${api} (token ${token}); demo receiver ${receiver.url} subscribed as ${sub.id}`);

  // The console: the same token opens it, and its admin pages reach the alerter with it.
  const consolePort = await pickFreePort();
  const consoleEnv = { PORTENT_CONSOLE_HTTP_HOST: '127.0.0.1', PORTENT_CONSOLE_HTTP_PORT: String(consolePort), PORTENT_CONSOLE_API_TOKENS: token, PORTENT_CONSOLE_ALERTER_URL: api, PORTENT_CONSOLE_DB_PATH: join(logDir, 'console.sqlite') };
  const consoleService = startService('console', { ...base, ...consoleEnv }, logDir);
  services.push(consoleService);
  let consoleAlive = true;
  void consoleService.exited.then(() => (consoleAlive = false));
  await waitForHttp(`http://127.0.0.1:${consolePort}/readyz`, 60_000, () => consoleAlive);
  say(`console: open http://127.0.0.1:${consolePort}/#token=${token} (signs you in)`);

  const sensor = startService('sensor', { ...base, PORTENT_SENSOR_ID: 'demo-sensor', PORTENT_SENSOR_SCENARIO: options.scenario, PORTENT_SENSOR_SPEED: speed, PORTENT_SENSOR_SPOOL_DIR: join(logDir, 'spool') }, logDir);
  services.push(sensor);
  say(`sensor playing the ${options.scenario} scenario at ${speed}x: ${SCENARIOS[options.scenario]?.description ?? ''}. Waiting for webhooks...`);
  await sensor.exited;
  say(exitWhenDone ? 'scenario finished; waiting for the surge to resolve' : 'scenario finished. The system keeps running; Ctrl-C stops everything.');
} catch (err) {
  say(`demo failed: ${(err as Error).message}`);
  await shutdown(1);
}
