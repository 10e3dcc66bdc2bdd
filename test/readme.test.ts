import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alerterSettings } from '../services/alerter/config.ts';
import { consoleSettings } from '../services/console/config.ts';
import { detectorSettings } from '../services/detector/config.ts';
import { sensorSettings } from '../services/sensor/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('documents every setting that a service reads', () => {
    const keys = [detectorSettings, sensorSettings, alerterSettings, consoleSettings].flatMap((s) => Object.keys(s.properties));
    const missing = [...new Set(keys)].filter((k) => !readme.includes(`| \`${k}\``));
    expect(missing).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1] ?? '');
    expect(named.filter((s) => !(s in pkg.scripts))).toEqual([]);
    expect(pkg.scripts).toHaveProperty('start');
    expect(pkg.scripts).toHaveProperty('test');
  });
});
