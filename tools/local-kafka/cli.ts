/**
 * Command line of the local Kafka broker (see README.md). `npm run kafka -- <command>`.
 */
import { parseArgs } from 'node:util';
import { dropHarmlessWarnings } from '../../services/common/lifecycle.ts';
import { DEFAULT_KAFKA_VERSION, checkJava, ensureKafkaJars, isLocalKafkaError, startLocalBroker } from './broker.ts';
import type { LocalBroker, SaslUser } from './broker.ts';

const USAGE = `Usage: node tools/local-kafka/cli.ts <command> [options]

Commands:
  fetch       Download the Kafka broker jars (Maven) into the cache, print the libs dir.
  start       Run a single-node KRaft broker on 127.0.0.1 in the foreground until Ctrl-C / SIGTERM.
  java-check  Check that Java 17+ is available; print its version and path.
  help        Show this text.

Options:
  --version V       [fetch, start] Kafka version (default ${DEFAULT_KAFKA_VERSION})
  --port N          [start] PLAINTEXT port on 127.0.0.1, 0 = any free port (default 9092)
  --data-dir DIR    [start] keep the broker's data here across restarts
                    (default: a fresh temp dir, deleted on exit)
  --log-to-console  [start] also print the broker's log on stdout
  --sasl-user U:P   [start] also listen with SASL (PLAIN, SCRAM-SHA-256/512) on a
                    SASL_PLAINTEXT port for user U, password P (repeatable; SCRAM
                    users are created when a data dir is first formatted)

Environment: PORTENT_CACHE_DIR (jar cache root, default ~/.cache/portent), JAVA_HOME, KAFKA_HEAP_OPTS.`;

dropHarmlessWarnings();

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 9092;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) usageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return port;
}

function parseSaslUsers(values: readonly string[]): SaslUser[] {
  return values.map((v) => {
    const at = v.indexOf(':');
    if (at <= 0 || at === v.length - 1) usageError(`--sasl-user must be NAME:PASSWORD, got "${v}"`);
    return { username: v.slice(0, at), password: v.slice(at + 1) };
  });
}

async function runStart(port: number, dataDir: string | undefined, version: string | undefined, logToConsole: boolean, saslUsers: SaslUser[]): Promise<number> {
  const broker: LocalBroker = await startLocalBroker({
    port,
    logToConsole,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(saslUsers.length > 0 ? { sasl: { users: saslUsers } } : {}),
  });
  process.stdout.write(`Kafka ready at ${broker.brokers.join(',')}\n`);
  if (broker.saslBrokers !== undefined) process.stdout.write(`SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) at ${broker.saslBrokers.join(',')}\n`);
  process.stderr.write(`(pid ${broker.pid}, data dir ${broker.dataDir}, log ${broker.dataDir}/logs/server.log; Ctrl-C to stop)\n`);

  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        process.stderr.write(`${signal} again: exiting now\n`);
        process.exit(1); // the 'exit' handler SIGKILLs the broker
      }
      signalled = true;
      process.stderr.write(`${signal}: stopping Kafka...\n`);
      broker.stop().then(() => { resolve(0); }, (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        resolve(1);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void broker.exited.then(({ code, signal }) => {
      if (signalled) return;
      process.stderr.write(`Kafka exited unexpectedly (${signal ?? `code ${code}`}); see ${broker.dataDir}/logs/server.log\n`);
      void broker.stop().finally(() => { resolve(1); });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        version: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-to-console': { type: 'boolean', default: false },
        'sasl-user': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    usageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === undefined) usageError('Missing command.');
  if (extra.length > 0) usageError(`Unexpected argument(s): ${extra.join(' ')}`);
  const startOnly = values.port !== undefined || values['data-dir'] !== undefined || values['log-to-console'] || values['sasl-user'].length > 0;
  if (startOnly && command !== 'start') usageError('--port, --data-dir, --log-to-console and --sasl-user only apply to "start".');

  switch (command) {
    case 'java-check': {
      const java = await checkJava();
      process.stdout.write(`Java ${java.version} at ${java.bin}\n`);
      return 0;
    }
    case 'fetch': {
      const libs = await ensureKafkaJars({
        log: (line) => process.stderr.write(`${line}\n`),
        ...(values.version !== undefined ? { version: values.version } : {}),
      });
      process.stdout.write(`${libs}\n`);
      return 0;
    }
    case 'start':
      return runStart(parsePort(values.port), values['data-dir'], values.version, values['log-to-console'], parseSaslUsers(values['sasl-user']));
    default:
      return usageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isLocalKafkaError(err)) process.stderr.write(`${err.code}: ${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
