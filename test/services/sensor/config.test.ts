import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../services/sensor/cli.ts';
import { loadSensorConfig } from '../../../services/sensor/config.ts';

const NOW = Date.parse('2026-11-27T10:00:00Z');

describe('sensor configuration', () => {
  it('maps command-line options onto the environment settings, overriding them', () => {
    const cli = parseCli(['--input', 'zeek', '--file', 'conn.log', '--follow', '--speed', '2', '--reorder', '30', '--answer-wait', '3'], { PORTENT_SENSOR_INPUT: 'eve', PORTENT_SENSOR_ID: 's1' });
    if (cli.help) throw new Error('help');
    const config = loadSensorConfig(cli.env, NOW);
    expect(config.sensorId).toBe('s1');
    expect(config.input).toEqual({
      kind: 'zeek',
      file: 'conn.log',
      follow: true,
      speed: 2,
      tracking: { answerWaitMs: 3000, retransmitWindowMs: 130_000, maxTracked: 200_000 },
      order: { allowedLatenessMs: 10_000, reorderMs: 30_000, reorderMax: 1_000_000 },
    });
  });

  it('keeps the environment-only set-up of the demo: the simulator at 60x by default', () => {
    const config = loadSensorConfig({ PORTENT_SENSOR_ID: 'demo-sensor', PORTENT_SENSOR_SPEED: '30' }, NOW);
    expect(config.input).toMatchObject({ kind: 'simulator', speed: 30, seed: 1 });
    expect(loadSensorConfig({}, NOW).input).toMatchObject({ kind: 'simulator', speed: 60 });
  });

  it('replays files as fast as possible unless a speed is given', () => {
    expect(loadSensorConfig({ PORTENT_SENSOR_INPUT: 'pcap', PORTENT_SENSOR_FILE: 'x.pcap' }, NOW).input).toMatchObject({ speed: 0, follow: false });
  });

  it('replays a directory of per-sensor files from --input directory --file DIR, at the speed given', () => {
    const cli = parseCli(['--input', 'directory', '--file', 'last-week', '--speed', '60'], {});
    if (cli.help) throw new Error('help');
    expect(loadSensorConfig(cli.env, NOW).input).toMatchObject({ kind: 'directory', dir: 'last-week', speed: 60 });
    expect(() => loadSensorConfig({ PORTENT_SENSOR_INPUT: 'directory' }, NOW)).toThrow(/needs PORTENT_SENSOR_FILE/);
  });

  it('refuses a file input without a file, live without an interface, and unknown options', () => {
    expect(() => loadSensorConfig({ PORTENT_SENSOR_INPUT: 'eve' }, NOW)).toThrow(/needs PORTENT_SENSOR_FILE/);
    expect(() => loadSensorConfig({ PORTENT_SENSOR_INPUT: 'live' }, NOW)).toThrow(/needs PORTENT_SENSOR_INTERFACE/);
    expect(() => parseCli(['--inptu', 'zeek'], {})).toThrow(/inptu/);
    // A record must stay inside the broker's default 1 MiB message.max.bytes.
    expect(() => loadSensorConfig({ PORTENT_SENSOR_BATCH_EVENTS: '5001' }, NOW)).toThrow(/PORTENT_SENSOR_BATCH_EVENTS/);
    expect(loadSensorConfig({ PORTENT_SENSOR_BATCH_EVENTS: '5000' }, NOW).batchEvents).toBe(5000);
  });
});
