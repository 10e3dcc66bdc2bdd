import { describe, expect, it } from 'vitest';
import { eveFixtureLines, lineMutator, viaJsonParse } from './fixture.ts';
import { scanEve } from '../../../../../services/sensor/inputs/eve/scan.ts';

/** The scanner may decline (undefined), but when it answers it must say what JSON.parse says. */
function expectAgreement(line: string): void {
  const fast = scanEve(line);
  if (fast === undefined) return;
  expect({ line, fields: fast }).toEqual({ line, fields: viaJsonParse(line) });
}

describe('EVE scanner', () => {
  it('reads every well-formed fixture line as JSON.parse does', () => {
    let answered = 0;
    for (const line of eveFixtureLines) {
      if (viaJsonParse(line) !== 'throws' && !line.includes('\\')) {
        expect(scanEve(line)).toBeDefined();
        answered++;
      }
      expectAgreement(line);
    }
    expect(answered).toBeGreaterThan(5);
  });

  it('agrees with JSON.parse on unusual but valid shapes, or declines them', () => {
    const shapes = [
      '{ "event_type" : "flow" , "src_ip":"10.0.0.1","src_port":1e3,"dest_port":-0,"proto":"UDP" }',
      '{"event_type":"flow","flow":{"start":"a","pkts_toclient":2},"flow":{"pkts_toclient":3}}',
      '{"event_type":"alert","flow":{"start":"a"},"flow":null,"tcp":{"tcp_flags_tc":"12"},"tcp":[1,{"tcp_flags_tc":"x"}]}',
      '{"src_port":"445","dest_port":true,"icmp_type":8.5,"proto":["TCP"],"timestamp":{"a":[[],{}]}}',
      '{"event_type":"flow","tunnel":{"src_ip":"192.0.2.1","flow":{"start":"x"}},"src_ip":"192.0.2.2"}',
      '{"src_ip":"caf\u00e9 \u{1f600}","dest_ip":"","proto":"ICMP","icmp_type":8}',
      '{"a":0.5e-7,"b":-12.25E+2,"c":false,"d":null,"e":[true,false,null,"",0]}',
      '{}',
      '{"x":' + '['.repeat(40) + ']'.repeat(40) + '}',
    ];
    for (const line of shapes) expectAgreement(line);
    expect(scanEve(shapes[1] ?? '')?.pktsToClient).toBe(3);
    expect(scanEve(shapes[4] ?? '')?.srcIp).toBe('192.0.2.2');
  });

  it('never accepts a line JSON.parse rejects, nor reads one differently, over thousands of mutations', { timeout: 60_000 }, () => {
    const mutate = lineMutator(11, 4);
    let answered = 0;
    for (let round = 0; round < 5000; round++) {
      const line = mutate(eveFixtureLines[round % eveFixtureLines.length] ?? '');
      if (scanEve(line) !== undefined) answered++;
      expectAgreement(line);
    }
    // Mutations inside strings leave valid lines: the scanner must have answered many of them.
    expect(answered).toBeGreaterThan(500);
  });
});
