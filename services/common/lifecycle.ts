/**
 * Process start and end for every service: harmless warnings dropped,
 * shutdown on signals, fatal errors, and configuration errors.
 */
import { isPortentError } from './errors.ts';
import type { Logger } from './logger.ts';

/** Warnings known to be harmless, by name. */
const HARMLESS_WARNINGS: ReadonlySet<string> = new Set([
  // kafkajs 2.2.4 schedules a negative timeout on Node 24 (kafkajs issue #1751).
  // Node clamps it to 1 ms, which is what kafkajs meant, and warns each time.
  'TimeoutNegativeWarning',
]);
let harmlessDropped = false;

function warningName(warning: unknown, typeOrOptions: unknown): string | undefined {
  if (warning instanceof Error) return warning.name;
  if (typeof typeOrOptions === 'string') return typeOrOptions;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions) return String(typeOrOptions.type);
  return undefined;
}

/**
 * Call once at process start (a second call does nothing). A harmless warning
 * (HARMLESS_WARNINGS) is dropped before it is emitted; every other warning is
 * emitted as usual, and every `warning` listener, Node's own printer included,
 * stays in place.
 */
export function dropHarmlessWarnings(): void {
  if (harmlessDropped) return;
  harmlessDropped = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = (...args: unknown[]): void => {
    const name = warningName(args[0], args[1]);
    if (name !== undefined && HARMLESS_WARNINGS.has(name)) return;
    Reflect.apply(emit, process, args);
  };
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed).
 * A second signal exits at once, for an operator who does not want to wait.
 * `graceMs` bounds the wait so a stuck broker connection cannot hang a pod
 * past its termination grace period.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 20_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * Logs `err` as the one line an operator reads before the process exits: what
 * failed (`context`), the error's message (a PortentError's names the brokers
 * and the cause), its code and fields. The stack and the client's tree of
 * causes only at log level debug, where someone is looking for them.
 */
export function logFatal(logger: Logger, err: unknown, context: string): void {
  const fields = isPortentError(err) ? { code: err.code, ...err.fields } : {};
  const text = err instanceof Error ? err.message : String(err);
  logger.fatal({ ...fields, ...(logger.isLevelEnabled('debug') ? { err } : {}) }, `${context}: ${text}`);
}

/**
 * Logs one line (logFatal), then exits 1 so that the supervisor restarts the
 * process: the `onFatal` of a service's transport, and the end of a start-up
 * that cannot reach Kafka.
 */
export function exitOnFatal(logger: Logger, context = 'fatal, exiting so that the process is restarted'): (err: unknown) => never {
  return (err) => {
    logFatal(logger, err, context);
    process.exit(1);
  };
}

/**
 * Loads the configuration or, if it is invalid, prints every problem plainly
 * on stderr (for the human reading the pod's output) and exits 1.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
