/**
 * deploy/compose/compose.yaml: validated by `docker-compose config` where that
 * tool is installed (Debian's docker-compose package), and always checked
 * against the code: topics created with the code's cleanup policies, every
 * variable a declared setting, every environment passing the service's check.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TObject } from '@sinclair/typebox';
import { alerterSettings } from '../../services/alerter/config.ts';
import { loadConfig } from '../../services/common/config.ts';
import { topicNames, topicSpecs } from '../../services/common/kafka/topics.ts';
import { detectorSettings } from '../../services/detector/config.ts';
import { sensorSettings } from '../../services/sensor/config.ts';
import { ROOT } from './manifests.ts';

const FILE = join(ROOT, 'deploy', 'compose', 'compose.yaml');
const TOKEN = 'placeholder-token-0123456789';

interface ComposeService {
  image: string;
  command?: string[];
  environment?: Record<string, string>;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const portent: Record<string, { schema: TObject; prefix: string }> = {
  detector: { schema: detectorSettings, prefix: 'PORTENT_DETECTOR_' },
  alerter: { schema: alerterSettings, prefix: 'PORTENT_ALERTER_' },
  sensor: { schema: sensorSettings, prefix: 'PORTENT_SENSOR_' },
};

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('compose file', () => {
  it.skipIf(!hasDockerCompose())('passes docker-compose config', () => {
    execFileSync('docker-compose', ['-f', FILE, 'config', '--quiet'], { env: { ...process.env, PORTENT_ALERTER_API_TOKENS: TOKEN }, stdio: 'pipe' });
  });
  if (!hasDockerCompose()) console.warn('docker-compose not found: compose.yaml is checked structurally only (apt-get install docker-compose for the full check)');

  it('creates every topic of topics.ts with the cleanup policy and retention the code sets', () => {
    const script = compose.services['topics']?.command?.join('\n') ?? '';
    const created = [...script.matchAll(/^\s*t (\S+) --partitions (\d+)((?: --config \S+)*)/gm)].map((m) => ({
      name: m[1] ?? '',
      partitions: Number(m[2]),
      config: Object.fromEntries([...(m[3] ?? '').matchAll(/--config ([^=\s]+)=(\S+)/g)].map((c): [string, string] => [c[1] ?? '', c[2] ?? ''])),
    }));
    const code = topicSpecs(topicNames('portent.'), 3);
    expect(created.map((t) => t.name).sort()).toEqual(code.map((t) => t.name).sort());
    for (const spec of code) expect(created.find((t) => t.name === spec.name), spec.name).toMatchObject({ partitions: spec.partitions, config: spec.config });
  });

  it.each(Object.keys(portent))('gives the %s only declared settings, valid together, and a hardened container', (name) => {
    const svc = compose.services[name];
    const { schema, prefix } = portent[name] ?? { schema: detectorSettings, prefix: '' };
    const env = Object.fromEntries(Object.entries(svc?.environment ?? {}).map(([k, v]) => [k, v.startsWith('${') ? TOKEN : v]));
    expect(Object.keys(env).filter((k) => !(k in schema.properties))).toEqual([]);
    expect(() => loadConfig(schema, env, [prefix])).not.toThrow();
    expect(svc).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
    expect(svc?.command?.[0]).toBe(`dist/services/${name}/main.js`);
  });

  it('health checks ask the readiness path on the configured port', () => {
    const port = (name: string, setting: string, fallback: string): string => compose.services[name]?.environment?.[setting] ?? fallback;
    expect(compose.services['detector']?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port('detector', 'PORTENT_DETECTOR_HEALTH_PORT', '')}/readyz`);
    expect(compose.services['alerter']?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port('alerter', 'PORTENT_ALERTER_HTTP_PORT', '8080')}/readyz`);
  });
});
