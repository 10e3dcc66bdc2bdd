import { describe, expect, it } from 'vitest';
import { decoderFor } from '../../../../services/sensor/input.ts';
import { DEFAULT_TRACKING } from '../../../../services/sensor/inputs/attempt-tracker.ts';
import { DEFAULT_ORDER, TimeOrder } from '../../../../services/sensor/inputs/time-order.ts';
import { formatReport, InputReport } from '../../../../services/sensor/report.ts';

const HEADER = '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n';
const line = (s: number, port: number): string => `${1795766400 + s}\tC${port}\t203.0.113.5\t40000\t198.51.100.7\t${port}\ttcp\tS0\n`;

function zeek(seconds: readonly number[], reorderMs: number): { ports: number[]; report: InputReport } {
  const report = new InputReport();
  const decoder = decoderFor('zeek', report, () => 0, DEFAULT_TRACKING, { ...DEFAULT_ORDER, reorderMs });
  const text = HEADER + seconds.map((s, i) => line(s, 1000 + i)).join('');
  const events = [...decoder.push(Buffer.from(text)), ...decoder.end()];
  return { ports: events.map((e) => e.dstPort), report };
}

describe('time order of file inputs', () => {
  it('counts steps back larger than the allowed lateness, with the largest, and says so in the final report', () => {
    const { ports, report } = zeek([0, 5, 30, 25, 2, 40, 9], 0);
    expect(ports).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
    // 25 is 5 s behind 30 (within 10 s); 2 is 28 s behind 30; 9 is 31 s behind 40.
    expect(report.time).toEqual({ allowedLatenessMs: 10_000, stepsBack: 2, largestStepBackMs: 31_000 });
    expect(formatReport(report, 7, {}, 0, 2000)).toMatch(/elapsed: 2\.000 s reading the input, 4 events read per second\n.*time ran backwards 2 times .*largest step 31\.0 s/s);
  });

  it('puts events in time order within the reorder window, like reordercap', () => {
    const { ports, report } = zeek([0, 5, 30, 25, 2, 40, 9], 60_000);
    expect(ports).toEqual([1000, 1004, 1001, 1006, 1003, 1002, 1005]);
    expect(report.time.stepsBack).toBe(0);
  });

  it('holds at most its bound: beyond it the earliest item goes out at once', () => {
    const order = new TimeOrder<number>(1_000_000, 3);
    const out: number[] = [];
    for (const t of [50, 10, 40, 20, 30]) order.push(t, t, (x) => out.push(x));
    expect(out).toEqual([10, 20]);
    order.drain((x) => out.push(x));
    expect(out).toEqual([10, 20, 30, 40, 50]);
  });

  it('refuses a file none of whose lines is of the chosen kind', () => {
    const report = new InputReport();
    const decoder = decoderFor('eve', report, () => 0);
    expect(() => [...decoder.push(Buffer.from(HEADER + line(0, 22))), ...decoder.end()]).toThrow(/not eve input: none of its 3 lines could be read/);
  });
});
