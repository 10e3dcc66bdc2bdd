/**
 * The command line of `npm start`: which simulator scenario the demo sensor
 * plays. The list comes from the module that defines the scenarios, so a new
 * scenario is playable and listed in --help without a change here.
 */
import { parseArgs } from 'node:util';
import { SCENARIOS } from '../../services/sensor/scenarios/catalogue.ts';

export interface DemoOptions {
  readonly scenario: string;
  readonly help: boolean;
}

export const DEFAULT_SCENARIO = 'demo';

/** The usage text, with every scenario and what it plays. */
export function demoUsage(): string {
  const names = Object.keys(SCENARIOS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${SCENARIOS[n]?.description ?? ''}`);
  return [
    'Usage: npm start [-- --scenario NAME]',
    '',
    'Starts Kafka (unless KAFKA_BROKERS is set), the detector, the alerter and a',
    'webhook receiver, then a sensor playing one simulator scenario.',
    '',
    `Scenarios (default ${DEFAULT_SCENARIO}):`,
    ...lines,
    '',
    'Environment: PORTENT_DEMO_SPEED (scenario minutes per wall minute, default 30), KAFKA_BROKERS.',
  ].join('\n');
}

/** Reads argv; an unknown option or scenario throws with the usage text. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { scenario: { type: 'string', default: DEFAULT_SCENARIO }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  const scenario = values.scenario;
  if (!(scenario in SCENARIOS)) throw new Error(`unknown scenario "${scenario}"\n\n${demoUsage()}`);
  return { scenario, help: values.help };
}
