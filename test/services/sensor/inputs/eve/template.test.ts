import { describe, expect, it } from 'vitest';
import { eveFixtureLines, lineMutator, seededRandom, viaJsonParse } from './fixture.ts';
import { scanEve } from '../../../../../services/sensor/inputs/eve/scan.ts';
import { numberOf, readTemplate, templateOf } from '../../../../../services/sensor/inputs/eve/template.ts';
import { EveTemplates } from '../../../../../services/sensor/inputs/eve/templates.ts';
import type { Template } from '../../../../../services/sensor/inputs/eve/template.ts';

/** The template of a line, as the input makes one: only from a line the scanner read as a flow or alert. */
function learn(line: string): Template | undefined {
  const e = scanEve(line);
  return e !== undefined && (e.eventType === 'flow' || e.eventType === 'alert') ? templateOf(line, e.eventType) : undefined;
}

/** A template may decline a line (undefined), but when it answers it must say what JSON.parse says. */
function expectAgreement(tp: Template, line: string): boolean {
  const fast = readTemplate(tp, line);
  if (fast === undefined) return false;
  expect({ line, fields: fast }).toEqual({ line, fields: viaJsonParse(line) });
  return true;
}

const BASE = eveFixtureLines[0] ?? '';
const tcpFlow = (over: Record<string, string>): string => Object.entries(over).reduce((l, [from, to]) => l.replace(from, to), BASE);

describe('EVE templates', () => {
  it('are made from the flow and alert lines of the fixture, and read those lines as JSON.parse does', () => {
    const made = eveFixtureLines.map(learn).filter((tp) => tp !== undefined);
    expect(made.length).toBeGreaterThanOrEqual(5);
    for (const tp of made) for (const line of eveFixtureLines) expectAgreement(tp, line);
    for (const line of eveFixtureLines) {
      const tp = learn(line);
      if (tp !== undefined) expect(expectAgreement(tp, line)).toBe(true);
    }
  });

  it('read other values in the same shape, including IPv6, other numbers and non-ASCII text', () => {
    const tp = learn(BASE);
    expect(tp).toBeDefined();
    if (tp === undefined) return;
    const variants = [
      tcpFlow({ '203.0.113.5': '2001:db8::1', '"dest_port":445': '"dest_port":0', '"tcp_flags_tc":"00"': '"tcp_flags_tc":"12"' }),
      tcpFlow({ '"src_port":51234': '"src_port":-0', '"pkts_toclient":0': '"pkts_toclient":1.5e3', '"flow_id":1414553948203476': '"flow_id":null' }),
      tcpFlow({ '"in_iface":"eth0"': '"in_iface":"caf\u00e9 \u{1f600} src_ip:1.2.3.4 \u2028"', '"age":3': '"age":3e-2' }),
      tcpFlow({ '"state":"new"': '"state":{"nested":"no"}' }),
    ];
    const answered = variants.filter((line) => expectAgreement(tp, line));
    // The last changes the shape (an object where a scalar was): declined.
    expect(answered).toHaveLength(3);
    expect(readTemplate(tp, variants[0] ?? '')?.srcIp).toBe('2001:db8::1');
    expect(readTemplate(tp, variants[2] ?? '')?.srcIp).toBe('203.0.113.5');
  });

  it('decline what they cannot decide: escapes, other key orders, other value kinds, truncation, trailing text', () => {
    const tp = learn(BASE);
    if (tp === undefined) throw new Error('no template');
    const declined = [
      tcpFlow({ '"in_iface":"eth0"': '"in_iface":"et\\"h0"' }),
      tcpFlow({ '"in_iface":"eth0"': '"in_iface":"\\",\\"src_ip\\":\\"9.9.9.9"' }),
      tcpFlow({ '"src_ip":"203.0.113.5","src_port":51234': '"src_port":51234,"src_ip":"203.0.113.5"' }),
      tcpFlow({ '"src_port":51234': '"src_port":"51234"' }),
      tcpFlow({ '"dest_ip":"198.51.100.7"': '"dest_ip":null' }),
      tcpFlow({ '"in_iface":"eth0"': '"in_iface":"eth0","src_ip":"9.9.9.9"' }),
      tcpFlow({ '"event_type":"flow"': '"event_type":"alert"' }),
      tcpFlow({ '"in_iface":"eth0"': '"in_iface":"eth\t0"' }),
      BASE.slice(0, -1),
      `${BASE} `,
      `${BASE}${BASE}`,
      BASE.replace('{', '{ '),
    ];
    for (const line of declined) expect(readTemplate(tp, line), line).toBeUndefined();
  });

  it('read a nested object with the same key names as JSON.parse does, and make none from duplicate wanted keys', () => {
    const tunnel = tcpFlow({ '"in_iface":"eth0"': '"in_iface":"eth0","tunnel":{"src_ip":"192.0.2.1","flow":{"start":"x"},"depth":1}' });
    const tp = learn(tunnel);
    if (tp === undefined) throw new Error('no template');
    expect(expectAgreement(tp, tunnel)).toBe(true);
    expect(readTemplate(tp, tunnel)?.srcIp).toBe('203.0.113.5');
    expect(readTemplate(tp, tunnel.replace('192.0.2.1', '192.0.2.99'))?.srcIp).toBe('203.0.113.5');
    expect(learn(tcpFlow({ '"in_iface":"eth0"': '"in_iface":"eth0","src_ip":"9.9.9.9"' }))).toBeUndefined();
    expect(learn(tcpFlow({ '"age":3': '"age":3,"start":"x"' }))).toBeUndefined();
    expect(learn(tcpFlow({ '"flow":{': '"flow":null,"flow":{' }))).toBeUndefined();
  });

  it('take a flat array where their line had one, and no other', () => {
    const line = tcpFlow({ '"in_iface":"eth0"': '"in_iface":"eth0","metadata":{"flowbits":["a","b"]}' });
    const tp = learn(line);
    if (tp === undefined) throw new Error('no template');
    for (const flowbits of ['[]', '[1,-2.5,true,null,"\u00e9"]', '["x"]']) expect(expectAgreement(tp, line.replace('["a","b"]', flowbits))).toBe(true);
    for (const flowbits of ['[["a"]]', '[{"a":1}]', '["a", "b"]', '["a",]', '"a"']) expect(readTemplate(tp, line.replace('["a","b"]', flowbits))).toBeUndefined();
    expect(learn(line.replace('["a","b"]', '[["a"]]'))).toBeUndefined();
  });

  it('never accept a line JSON.parse rejects, nor read one differently, over thousands of mutations', { timeout: 60_000 }, () => {
    const templates = eveFixtureLines.map((l) => [l, learn(l)] as const).filter((p): p is readonly [string, Template] => p[1] !== undefined);
    const mutate = lineMutator(5, 3);
    let answered = 0;
    for (let round = 0; round < 6000; round++) {
      const [base, tp] = templates[round % templates.length] ?? ['', undefined];
      if (tp === undefined) continue;
      if (expectAgreement(tp, mutate(base))) answered++;
    }
    // Mutations inside values mostly leave the shape: the templates must have answered many.
    expect(answered).toBeGreaterThan(600);
  });

  it('are learnt from flow and alert lines only, and each known shape is read', () => {
    const templates = new EveTemplates();
    const dns = eveFixtureLines.find((l) => l.includes('"event_type":"dns"')) ?? '';
    const udp = eveFixtureLines.find((l) => l.includes('"proto":"UDP"') && l.includes('"event_type":"flow"')) ?? '';
    const learnIfNew = (line: string): void => {
      const e = templates.read(line) ?? scanEve(line);
      if (e !== undefined) templates.learn(line, e);
    };
    learnIfNew(dns);
    expect(templates.read(dns)).toBeUndefined();
    learnIfNew(BASE);
    expect(templates.read(BASE)).toEqual(viaJsonParse(BASE));
    // A second shape waits for some unmatched lines first (a template costs a compile).
    for (let i = 0; i < 40 && templates.read(udp) === undefined; i++) learnIfNew(udp);
    expect(templates.read(udp)).toEqual(viaJsonParse(udp));
    expect(templates.read(BASE)).toEqual(viaJsonParse(BASE));
  });

  it('read many interleaved shapes, more than are kept, as JSON.parse does', () => {
    const templates = new EveTemplates();
    const rand = seededRandom(9);
    let fromTemplates = 0;
    for (let i = 0; i < 6000; i++) {
      // Suricata writes only the TCP flags a flow saw, and app_proto only when known: 64 shapes.
      const shape = rand(64);
      const flags = ['syn', 'fin', 'rst', 'psh', 'ack'].filter((_, k) => (shape & (1 << k)) !== 0).map((f) => `"${f}":true,`).join('');
      const line = tcpFlow({
        '"syn":true,': flags,
        '"proto":"TCP"': shape >= 32 ? '"proto":"TCP","app_proto":"smb"' : '"proto":"TCP"',
        '"src_port":51234': `"src_port":${rand(65536)}`,
        '"tcp_flags_tc":"00"': `"tcp_flags_tc":"${rand(256).toString(16)}"`,
      });
      const fast = templates.read(line);
      if (fast !== undefined) {
        fromTemplates++;
        expect({ line, fields: fast }).toEqual({ line, fields: viaJsonParse(line) });
        continue;
      }
      const e = scanEve(line);
      if (e !== undefined) templates.learn(line, e);
    }
    // 24 of 64 equally likely shapes are kept: about a third of the lines.
    expect(fromTemplates).toBeGreaterThan(1500);
    // A line of another event type or a malformed one matches none.
    for (const line of [eveFixtureLines.find((l) => l.includes('"dns"')) ?? '', BASE.slice(0, -2), BASE.replace('"eth0"', '"et"h0"')]) expect(templates.read(line)).toBeUndefined();
  }, 60_000);

  it('drop a shape that has become rare, which makes room for a new one', () => {
    const templates = new EveTemplates(8192);
    const shape = (k: number): string => tcpFlow({ '"in_iface":"eth0"': `"in_iface":"eth0","s${k}":0` });
    const feed = (line: string): void => {
      if (templates.read(line) !== undefined) return;
      const e = scanEve(line);
      if (e !== undefined) templates.learn(line, e);
    };
    // 24 shapes fill the set (one is learnt per 32 unmatched lines); a 25th is not learnt while they are all in use.
    for (let round = 0; round < 200; round++) for (let k = 0; k < 24; k++) feed(shape(k));
    for (let i = 0; i < 40; i++) feed(shape(99));
    expect(templates.read(shape(99))).toBeUndefined();
    // After a whole window with only shape 0 in use, shapes 1..23 are dropped and shape 99 is learnt.
    for (let i = 0; i < 2 * 8192; i++) feed(shape(0));
    for (let i = 0; i < 40; i++) feed(shape(99));
    expect(templates.read(shape(99))).toEqual(viaJsonParse(shape(99)));
    expect(templates.read(shape(0))).toEqual(viaJsonParse(shape(0)));
    expect(templates.read(shape(5))).toBeUndefined();
  }, 60_000);

  it('convert captured number texts as Number() does', () => {
    const texts = ['0', '7', '65535', '65536', '123456789', '1234567890', '99999999999999999999', '-0', '-1', '1.5', '1e3', '1E+2', '2e-3', '0.000001'];
    for (let n = 0; n < 70000; n += 997) texts.push(String(n));
    for (const text of texts) expect({ text, n: numberOf(text) }).toEqual({ text, n: Number(text) });
    expect(Object.is(numberOf('-0'), -0)).toBe(true);
  });
});
