import { describe, expect, it } from 'vitest';
import type { Alert, ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { Detector } from '../../../services/detector/detector.ts';
import { testOptions } from './fixtures.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-27T08:00:00Z');
const opts = testOptions;

function events(minute: number, sources: number, opt: { port?: number; attemptsEach?: number; prefix?: string; offsetMs?: number } = {}): ConnectionEvent[] {
  const out: ConnectionEvent[] = [];
  for (let s = 0; s < sources; s++) {
    for (let a = 0; a < (opt.attemptsEach ?? 1); a++) {
      out.push({
        eventTime: T0 + minute * MIN + (opt.offsetMs ?? 1000) + s, protocol: 'TCP', srcIp: `${opt.prefix ?? '10.0'}.${s >> 8}.${s & 255}`,
        srcPort: 40000, dstIp: `198.18.0.${a % 250}`, dstPort: opt.port ?? 445, outcome: 'REJECTED',
      });
    }
  }
  return out;
}

/** Feeds minutes of traffic (sources per minute) through one partition and collects the alerts. */
function run(detector: Detector, perMinute: number[], partition = 0): Alert[] {
  const alerts: Alert[] = [];
  perMinute.forEach((n, minute) => {
    alerts.push(...detector.ingest(partition, { sensorId: 's1', events: events(minute, n) }).alerts);
  });
  return alerts;
}

describe('Detector', () => {
  it('fires a surge inside the window that crosses the threshold, before it closes', () => {
    const d = new Detector(opts);
    const alerts = run(d, [25, 25, 25, 25, 25, 25, 200]);
    expect(alerts).toHaveLength(1);
    const [firing] = alerts;
    expect(firing).toMatchObject({ kind: 'SURGE', state: 'FIRING', port: 445, protocol: 'TCP', onsetWindowStart: T0 + 6 * MIN, windowStart: T0 + 6 * MIN });
    expect(firing?.figures.distinctSources).toBe(200);
    expect(firing?.baseline.distinctSources).toBeCloseTo(25);
    expect(firing?.reasons[0]).toContain('200 distinct sources on tcp/445');
    // Fired on the batch that crossed, while the window [6, 7) is still open.
    expect(d.watermark(0)).toBeLessThan(T0 + 7 * MIN);
  });

  it('fires when a window crosses and closes in the same batch', () => {
    const d = new Detector(opts);
    run(d, [25, 25, 25, 25, 25, 25, 25]);
    const big = [...events(7, 200), ...events(8, 1, { offsetMs: 30_000, prefix: '172.16' })];
    const out = d.ingest(0, { sensorId: 's1', events: big });
    expect(out.alerts.map((a) => [a.state, a.windowStart])).toEqual([['FIRING', T0 + 7 * MIN]]);
  });

  it('does not fire while the port is warming up', () => {
    expect(run(new Detector(opts), [25, 25, 500])).toEqual([]);
  });

  it('does not count one heavy hitter as a surge', () => {
    const d = new Detector(opts);
    run(d, [25, 25, 25, 25, 25, 25]);
    const out = d.ingest(0, { sensorId: 's1', events: events(6, 1, { attemptsEach: 5000, prefix: '192.0' }) });
    expect(out.alerts).toEqual([]);
  });

  it('resolves after the configured number of quiet windows, with the same alert id', () => {
    const d = new Detector(opts);
    const alerts = run(d, [25, 25, 25, 25, 25, 25, 200, 200, 25, 25, 25, 25]);
    expect(alerts.map((a) => a.state)).toEqual(['FIRING', 'RESOLVED']);
    expect(alerts[1]?.alertId).toBe(alerts[0]?.alertId);
    expect(alerts[1]?.sequence).toBe(1);
  });

  it('gives the same alerts, ids included, when the same input is replayed', () => {
    const input = [25, 25, 25, 25, 25, 25, 200, 25, 25, 25];
    expect(run(new Detector(opts), input)).toEqual(run(new Detector(opts), input));
  });

  it('counts events for windows that have already closed as late, and ignores them', () => {
    const d = new Detector(opts);
    run(d, [25, 25, 25]);
    const out = d.ingest(0, { sensorId: 's1', events: events(0, 10, { prefix: '172.16' }) });
    expect(out.late).toBe(10);
  });

  it('accepts events within the allowed lateness', () => {
    const d = new Detector(opts);
    d.ingest(0, { sensorId: 's1', events: events(1, 1, { offsetMs: 5_000 }) });
    const out = d.ingest(0, { sensorId: 's1', events: events(0, 5, { offsetMs: 58_000 }) });
    expect(out.late).toBe(0);
  });

  it('keeps partitions independent: an idle partition does not hold back windows of another', () => {
    const d = new Detector(opts);
    d.ingest(1, { sensorId: 's1', events: events(0, 5, { port: 22 }) });
    // A window closes once the partition's watermark (newest event - 10 s) passes its end.
    const stats = [0, 1, 2, 3].flatMap((m) => d.ingest(0, { sensorId: 's1', events: events(m, 5) }).stats);
    expect(stats.map((s) => s.windowStart)).toEqual([T0, T0 + MIN]);
  });

  it('emits per-window port stats with the baseline before the window', () => {
    const d = new Detector(opts);
    const stats = [10, 30, 30, 30].flatMap((n, m) => d.ingest(0, { sensorId: 's1', events: events(m, n) }).stats);
    expect(stats[0]).toMatchObject({ protocol: 'TCP', port: 445, attempts: 10, distinctSources: 10, sensors: 1, baselineSources: 0, surging: false });
    expect(stats[1]?.baselineSources).toBe(10);
    // Sources 0-9 were seen in the first window; 10-29 are new to the port.
    expect(stats.map((x) => x.newSources)).toEqual([10, 20]);
    expect(stats[0]).toMatchObject({ dscSources: 0, scanners: 0 });
  });
});
