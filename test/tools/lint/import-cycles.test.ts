import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { importCycles, importGraph } from '../../../tools/lint/import-cycles.ts';

/** Writes the files into a fresh temp dir and returns their paths by name. */
function project(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'portent-cycles-'));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(join(dir, name), text);
  }
  return paths;
}

describe('import-cycles', () => {
  it('reports a circle that closes through an import type, which ESLint import-x/no-cycle skips', () => {
    const p = project({
      'producer.ts': "import type { OutRecord } from './transport.ts';\nexport const send = (r: OutRecord) => r;\n",
      'transport.ts': "import { send } from './producer.ts';\nexport interface OutRecord { key: string }\nexport const go = send;\n",
      'records.ts': 'export interface Other { x: number }\n',
    });
    const cycles = importCycles(importGraph(Object.values(p)));
    expect(cycles).toEqual([[p['producer.ts'], p['transport.ts']].sort()]);
  });

  it('passes imports that run one way, re-exports included', () => {
    const p = project({
      'records.ts': 'export interface OutRecord { key: string }\n',
      'producer.ts': "import type { OutRecord } from './records.ts';\nexport const send = (r: OutRecord) => r;\n",
      'transport.ts': "import { send } from './producer.ts';\nexport type { OutRecord } from './records.ts';\nexport const go = send;\n",
    });
    expect(importCycles(importGraph(Object.values(p)))).toEqual([]);
  });
});
