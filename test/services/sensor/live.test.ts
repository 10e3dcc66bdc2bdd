import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { SensorErrorCodes } from '../../../services/sensor/errors.ts';
import { DEFAULT_TRACKING } from '../../../services/sensor/inputs/attempt-tracker.ts';
import { captureLive } from '../../../services/sensor/inputs/live.ts';
import { InputReport } from '../../../services/sensor/report.ts';
import { pcapFile } from '../../support/pcap.ts';
import { testDir } from '../../support/temp-dir.ts';

// Stand-ins for tcpdump: real processes that behave as tcpdump does (pcap on
// stdout; or its no-privilege message on stderr and exit 1), since tcpdump
// itself needs root and is not installed in CI.
function script(body: string): string {
  const dir = testDir('sensor-live');
  const path = join(dir, 'tcpdump');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function run(tcpdump: string): Promise<{ events: ConnectionEvent[]; report: InputReport }> {
  const report = new InputReport();
  const events: ConnectionEvent[] = [];
  await captureLive({ iface: 'eth0', filter: undefined, tcpdump, tracking: DEFAULT_TRACKING, signal: new AbortController().signal }, report, (e) => {
    events.push(...e);
    return Promise.resolve();
  });
  return { events, report };
}

describe('live capture', () => {
  it('reads the pcap stream tcpdump writes on stdout', async () => {
    const dir = testDir('sensor-live');
    const capture = join(dir, 'stream.pcap');
    writeFileSync(capture, pcapFile('ethernet', [{ timeMs: 1_795_766_400_000, src: '203.0.113.5', dst: '198.51.100.7', proto: 'tcp', dport: 445, flags: 'S' }]));
    const { events } = await run(script(`[ "$1 $2 $3 $4" = "-i eth0 -w -" ] || exit 9\ncat '${capture}'`));
    expect(events.map((e) => `${e.protocol}/${e.dstPort} ${e.srcIp}`)).toEqual(['TCP/445 203.0.113.5']);
  });

  it('says how to get the privilege when tcpdump may not capture', async () => {
    const tcpdump = script("echo 'tcpdump: eth0: You don'\\''t have permission to capture on that device' >&2\nexit 1");
    await expect(run(tcpdump)).rejects.toMatchObject({ code: SensorErrorCodes.CAPTURE_PERMISSION, message: expect.stringMatching(/setcap cap_net_raw/) as unknown });
  });

  it('says tcpdump is missing when it is', async () => {
    await expect(run('/nonexistent/tcpdump')).rejects.toMatchObject({ code: SensorErrorCodes.TCPDUMP_MISSING });
  });
});
