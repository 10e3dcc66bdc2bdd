import { describe, expect, it } from 'vitest';
import { matches } from '../../cli/alerts.ts';
import { EventStreamParser } from '../../cli/client.ts';
import { jsonSafe, sparkline, table } from '../../cli/output.ts';
import { Progress } from '../../cli/progress.ts';
import { parsePort } from '../../cli/stats.ts';
import { decoderFor, recordJson } from '../../cli/topic-dump.ts';
import { alertCodec } from '../../services/common/avro/codecs.ts';
import { sampleAlert } from '../support/alerts.ts';

describe('portent output', () => {
  it('draws a sparkline scaled between the lowest and highest value', () => {
    expect(sparkline([0, 5, 10])).toBe('▁▅█');
    expect(sparkline([3, 3])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('aligns table columns and right-aligns numbers', () => {
    expect(table(['port', 'sources'], [['tcp/445', 450], ['udp/53', 9]])).toBe('port     sources\ntcp/445      450\nudp/53         9');
  });

  it('writes buffers as base64 and bigints as text in JSON', () => {
    expect(JSON.stringify({ b: Buffer.from('hi'), n: 5n }, jsonSafe)).toBe('{"b":"aGk=","n":"5"}');
  });

  it('shows progress with rate and time left', () => {
    expect(Progress.line(500, 1000, 5, 'records')).toBe('██████████░░░░░░░░░░ 500/1,000 records, 100 records/s, 5 s left');
    expect(Progress.line(3000, 0, 2, 'events')).toBe('3,000 events, 1,500 events/s');
  });
});

describe('portent parsing', () => {
  it('reads a port as 445 or protocol/port and refuses anything else', () => {
    expect(parsePort('445')).toEqual(['tcp', 445]);
    expect(parsePort('UDP/53')).toEqual(['udp', 53]);
    expect(() => parsePort('70000')).toThrow(/not a port/);
    expect(() => parsePort('http')).toThrow(/not a port/);
  });

  it('filters alerts by port and kind', () => {
    expect(matches(sampleAlert(), { port: 445, kind: 'surge' })).toBe(true);
    expect(matches(sampleAlert(), { kind: 'WORM_RISK' })).toBe(false);
    expect(matches(sampleAlert(), { port: 23 })).toBe(false);
  });

  it('splits an event stream into messages across chunk boundaries', () => {
    const p = new EventStreamParser();
    expect(p.push(': hello\n\nevent: alert\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\nevent: stats\ndata: 2\n\n')).toEqual(['{"a":1}', '2']);
  });

  it('decodes a record of any Portent topic by its name, and keeps undecodable bytes with the reason', () => {
    const alert = sampleAlert();
    const record = { topic: 'x.alerts.v1', partition: 0, offset: '7', timestamp: 1, key: alert.alertId, value: alertCodec.encode(alert), headers: {} };
    expect(recordJson(record, decoderFor('x.alerts.v1'))).toMatchObject({ offset: '7', value: { alertId: alert.alertId, state: 'FIRING' } });
    expect(recordJson({ ...record, value: Buffer.from('junk') }, decoderFor('x.alerts.v1'))).toMatchObject({ value: 'anVuaw==', error: expect.stringMatching(/not an Avro single-object record/) as unknown });
    expect(() => decoderFor('orders')).toThrow(/not a Portent topic/);
  });
});
